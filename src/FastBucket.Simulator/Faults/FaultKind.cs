namespace FastBucket.Simulator.Faults;

/// <summary>A misbehaviour the simulator can inject.</summary>
public enum FaultKind
{
    /// <summary>HTTP 500 in the provider's error format; no charge is taken.</summary>
    InternalServerError,

    /// <summary>HTTP 503 in the provider's error format; no charge is taken.</summary>
    ServiceUnavailable,

    /// <summary>HTTP 529 <c>overloaded_error</c> (Anthropic only); no charge is taken.</summary>
    Overloaded,

    /// <summary>The connection is aborted: before the response, or mid-stream for streaming requests. The charge stands.</summary>
    ConnectionReset,

    /// <summary>An extra <see cref="FaultOptions.SlowFirstByteDelay"/> before the first byte.</summary>
    SlowFirstByte,

    /// <summary>The response carries no rate-limit headers.</summary>
    MissingRateLimitHeaders,

    /// <summary>A 200 response whose JSON (or one streamed event's JSON) is cut short.</summary>
    MalformedJson,
}
