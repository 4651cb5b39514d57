using System.Collections.Concurrent;
using System.Diagnostics;
using FastBucket.Providers;

namespace FastBucket.Estimation;

/// <summary>
/// Learns, per provider and model, how many input tokens the provider really counts per estimated token, and scales
/// later estimates by it.
/// </summary>
/// <remarks>
/// <para>
/// Each reconciled request gives a sample <c>actual / estimated</c>, clamped to [<see cref="MinRatio"/>,
/// <see cref="MaxRatio"/>]; the ratio is an exponentially weighted moving average of the samples, starting at 1
/// (the estimator's own documented factor), so it always stays within those bounds. With a steady true ratio
/// <c>r</c> the distance to <c>r</c> shrinks by a factor of (1 - <see cref="Smoothing"/>) per sample.
/// </para>
/// <para>
/// An <see cref="TokenEstimateMethod.Approximate"/> estimate is multiplied by the ratio. An
/// <see cref="TokenEstimateMethod.Exact"/> count is multiplied only by a ratio above 1 (the provider counted more
/// than the tokenizer, say for images), never lowered. <see cref="TokenEstimateMethod.Fallback"/> estimates are
/// left alone and do not teach it.
/// </para>
/// <para>
/// Updates are lock-free (a compare-and-swap per sample) and reads are a dictionary lookup. At most
/// <see cref="MaxTrackedModels"/> provider-model pairs are learned, since model names come from request bodies;
/// further pairs stay at ratio 1.
/// </para>
/// </remarks>
public sealed class TokenEstimateCalibrator
{
    /// <summary>The lowest ratio learned: an estimate is never scaled below half.</summary>
    public const double MinRatio = 0.5;

    /// <summary>The highest ratio learned: an estimate is never scaled above double.</summary>
    public const double MaxRatio = 2.0;

    /// <summary>The weight of a new sample unless another is given.</summary>
    public const double DefaultSmoothing = 0.2;

    /// <summary>The most provider-model pairs learned.</summary>
    public const int MaxTrackedModels = 1024;

    private readonly ConcurrentDictionary<CalibrationKey, RatioCell> _cells = new();
    private int _tracked;

    /// <summary>Creates a calibrator with <see cref="DefaultSmoothing"/>.</summary>
    public TokenEstimateCalibrator()
        : this(DefaultSmoothing)
    {
    }

    /// <summary>Creates a calibrator.</summary>
    /// <param name="smoothing">The weight of each new sample, greater than 0 and at most 1.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="smoothing"/> is not in (0, 1].</exception>
    public TokenEstimateCalibrator(double smoothing)
    {
        if (!(smoothing > 0 && smoothing <= 1))
        {
            throw new ArgumentOutOfRangeException(nameof(smoothing), smoothing, "The smoothing weight must be greater than 0 and at most 1.");
        }

        Smoothing = smoothing;
    }

    /// <summary>The weight of each new sample.</summary>
    public double Smoothing { get; }

    /// <summary>The learned ratio of actual to estimated input tokens; 1 when nothing has been learned.</summary>
    /// <param name="provider">The provider.</param>
    /// <param name="model">The model (letter case ignored); <see langword="null"/> for requests without one.</param>
    public double GetRatio(LlmProvider provider, string? model) =>
        _cells.TryGetValue(new CalibrationKey(provider, model), out RatioCell? cell) ? cell.Ratio : 1.0;

    /// <summary>Learns from one reconciled request. Samples with a non-positive estimate or actual count are ignored.</summary>
    /// <param name="provider">The provider.</param>
    /// <param name="model">The model (letter case ignored); <see langword="null"/> for requests without one.</param>
    /// <param name="estimatedInputTokens">The uncalibrated estimate (<see cref="TokenEstimate.UncalibratedInputTokens"/>).</param>
    /// <param name="actualInputTokens">The input tokens the provider reported.</param>
    public void Observe(LlmProvider provider, string? model, long estimatedInputTokens, long actualInputTokens)
    {
        if (estimatedInputTokens <= 0 || actualInputTokens <= 0)
        {
            return;
        }

        var key = new CalibrationKey(provider, model);
        if (!_cells.TryGetValue(key, out RatioCell? cell))
        {
            if (Volatile.Read(ref _tracked) >= MaxTrackedModels)
            {
                return;
            }

            var fresh = new RatioCell();
            if (_cells.TryAdd(key, fresh))
            {
                Interlocked.Increment(ref _tracked);
                cell = fresh;
            }
            else if (!_cells.TryGetValue(key, out cell))
            {
                return;
            }
        }

        double sample = Math.Clamp((double)actualInputTokens / estimatedInputTokens, MinRatio, MaxRatio);
        cell.Blend(sample, Smoothing);
        cell.Counted();
    }

    /// <summary>How many usage samples have been observed for <paramref name="provider"/> and <paramref name="model"/>.</summary>
    /// <param name="provider">The provider.</param>
    /// <param name="model">The model, or <see langword="null"/>.</param>
    /// <returns>The number of samples <see cref="Observe"/> has blended in for them.</returns>
    public long ObservationCount(LlmProvider provider, string? model) =>
        _cells.TryGetValue(new CalibrationKey(provider, model), out RatioCell? cell) ? cell.Count : 0;

    /// <summary>Scales an input-token estimate by the learned ratio, as the rules above say for its method.</summary>
    /// <param name="provider">The provider.</param>
    /// <param name="model">The model (letter case ignored).</param>
    /// <param name="estimatedInputTokens">The uncalibrated estimate.</param>
    /// <param name="method">How the estimate was obtained.</param>
    /// <returns>The calibrated estimate.</returns>
    public long Calibrate(LlmProvider provider, string? model, long estimatedInputTokens, TokenEstimateMethod method)
    {
        if (method == TokenEstimateMethod.Fallback || estimatedInputTokens <= 0)
        {
            return estimatedInputTokens;
        }

        double ratio = GetRatio(provider, model);
        if (method == TokenEstimateMethod.Exact && ratio <= 1.0)
        {
            return estimatedInputTokens;
        }

        return TokenMath.CeilingScale(estimatedInputTokens, ratio);
    }

    /// <summary>One learned ratio, updated by compare-and-swap on its bits.</summary>
    private sealed class RatioCell
    {
        private long _bits = BitConverter.DoubleToInt64Bits(1.0);
        private long _count;

        public long Count => Volatile.Read(ref _count);

        public void Counted() => Interlocked.Increment(ref _count);

        public double Ratio => BitConverter.Int64BitsToDouble(Volatile.Read(ref _bits));

        public void Blend(double sample, double weight)
        {
            long seen = Volatile.Read(ref _bits);
            while (true)
            {
                double current = BitConverter.Int64BitsToDouble(seen);
                double next = Math.Clamp(current + (weight * (sample - current)), MinRatio, MaxRatio);
                Debug.Assert(double.IsFinite(next), "A blend of two ratios within bounds stays finite.");
                long witnessed = Interlocked.CompareExchange(ref _bits, BitConverter.DoubleToInt64Bits(next), seen);
                if (witnessed == seen)
                {
                    return;
                }

                seen = witnessed;
            }
        }
    }
}
