namespace FastBucket.E2E.Measurement;

/// <summary>
/// The client-side numbers of one run. Retries are sends beyond the first of each request that reached the wire;
/// queueing delay is submission to first send; completion is submission to the request's end (success or failure).
/// </summary>
internal sealed record RunMeasurements(
    double WallSeconds,
    long Sends,
    long Retries,
    long RateLimitedSeen,
    int Succeeded,
    int Failed,
    int NeverSent,
    double QueueingP50Ms,
    double QueueingP99Ms,
    double CompletionP50Ms,
    double CompletionP99Ms);
