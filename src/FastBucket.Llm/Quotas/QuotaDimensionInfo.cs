namespace FastBucket.Quotas;

/// <summary>
/// One row of the dimension table (<see cref="QuotaDimensions"/>): what a <see cref="QuotaDimension"/> limits, over
/// which window, what a request costs on it, and how configuration files and the command line name it.
/// </summary>
public sealed class QuotaDimensionInfo
{
    private readonly Func<QuotaLimits, long?> _read;
    private readonly Func<QuotaLimits, long?, QuotaLimits> _write;

    internal QuotaDimensionInfo(
        QuotaDimension dimension,
        TimeSpan? window,
        string name,
        string description,
        Func<QuotaLimits, long?> read,
        Func<QuotaLimits, long?, QuotaLimits> write,
        string? cliName = null)
    {
        Dimension = dimension;
        Window = window;
        Name = name;
        CliName = cliName ?? "--" + name;
        Description = description;
        _read = read;
        _write = write;
    }

    /// <summary>The dimension.</summary>
    public QuotaDimension Dimension { get; }

    /// <summary>The period a limit of this dimension is stated over (a minute or a day), or <see langword="null"/> for the concurrency limit, which is a count, not a rate.</summary>
    public TimeSpan? Window { get; }

    /// <summary>Whether this is a rate limit (refilled over <see cref="Window"/>) rather than the concurrency limit.</summary>
    public bool IsRate => Window is not null;

    /// <summary>The name in limits files, configuration and JSON output, e.g. <c>rpm</c>.</summary>
    public string Name { get; }

    /// <summary>The command-line option, e.g. <c>--rpm</c>.</summary>
    public string CliName { get; }

    /// <summary>What the limit counts, in a few words.</summary>
    public string Description { get; }

    /// <summary>The limit on this dimension in <paramref name="limits"/>, or <see langword="null"/> when it is not limited.</summary>
    public long? LimitOf(QuotaLimits limits)
    {
        ArgumentNullException.ThrowIfNull(limits);
        return _read(limits);
    }

    /// <summary><paramref name="limits"/> with this dimension's limit set to <paramref name="limit"/>.</summary>
    public QuotaLimits With(QuotaLimits limits, long? limit)
    {
        ArgumentNullException.ThrowIfNull(limits);
        return _write(limits, limit);
    }

    /// <summary>What <paramref name="cost"/> takes from this dimension (0 for the concurrency limit: a request holds one slot, counted apart).</summary>
    public long CostOf(in RequestCost cost) => QuotaDimensions.CostOf(cost, Dimension);

    /// <inheritdoc/>
    public override string ToString() => Name;
}
