namespace FastBucket.Providers.Inspection;

/// <summary>
/// Reads the rate-limit signals of a response saved with <c>curl -i</c> (the library side of
/// <c>fastbucket inspect</c>): parse the file, pick the provider and the clock, read the signals. Write the result
/// with <see cref="RateLimitSignalsJsonWriter"/>.
/// </summary>
internal static class RawResponseInspector
{
    /// <summary>Inspects a saved response.</summary>
    /// <param name="input">The saved response; left open.</param>
    /// <param name="provider">Whose conventions to apply, or <see langword="null"/> to detect them from the response (<see cref="LlmProviderDetector.FromResponse"/>).</param>
    /// <param name="now">The clock reading when the response arrived, or <see langword="null"/> for its <c>Date</c> header, falling back to <paramref name="timeProvider"/>.</param>
    /// <param name="timeProvider">The clock used when neither <paramref name="now"/> nor a <c>Date</c> header gives one.</param>
    /// <param name="cancellationToken">Cancels reading.</param>
    /// <returns>The inspection; a failed one (never an exception) when the input is not an HTTP response.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="input"/> or <paramref name="timeProvider"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="provider"/> is not a defined <see cref="LlmProvider"/>.</exception>
    public static async Task<RawResponseInspection> InspectAsync(
        Stream input,
        LlmProvider? provider,
        DateTimeOffset? now,
        TimeProvider timeProvider,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(timeProvider);
        if (provider is { } given && (uint)given > (uint)LlmProvider.Groq)
        {
            throw new ArgumentOutOfRangeException(nameof(provider), provider, $"The provider must be null or a defined {nameof(LlmProvider)} value.");
        }

        RawHttpResponseReadResult read = await RawHttpResponseReader.ReadAsync(input, cancellationToken).ConfigureAwait(false);
        if (read.Response is not { } response)
        {
            return RawResponseInspection.Failure(read.Error ?? "The input is not an HTTP response.");
        }

        using HttpResponseMessage message = response.ToHttpResponseMessage();
        ReadOnlySpan<byte> body = response.Body.Span;
        LlmProvider applied = provider ?? LlmProviderDetector.FromResponse(message, body);
        DateTimeOffset clock = timeProvider.GetUtcNow();
        DateTimeOffset arrival = now ?? (response.TryGetDate(clock, out DateTimeOffset date) ? date : clock);
        RateLimitSignals signals = RateLimitSignalReader.Read(applied, message, body, arrival);
        return RawResponseInspection.Success(response, applied, arrival, signals);
    }
}
