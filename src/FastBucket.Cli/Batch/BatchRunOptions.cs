using FastBucket.Quotas;

namespace FastBucket.Cli.Batch;

/// <summary>How a batch runs: where to send, how to limit, how to write.</summary>
internal sealed class BatchRunOptions
{
    public required ProviderEndpoint Endpoint { get; init; }

    public required Uri BaseUrl { get; init; }

    /// <summary>The key read from the environment; never printed, logged or written.</summary>
    public string? ApiKey { get; init; }

    public string? Model { get; init; }

    public required QuotaRegistryOptions Quotas { get; init; }

    public required string OutputPath { get; init; }

    public bool Ordered { get; init; }

    /// <summary>Attempts per request, the first included.</summary>
    public int MaxAttempts { get; init; } = 7;

    /// <summary>Requests held at once (waiting for quota or at the provider).</summary>
    public int Workers { get; init; } = 256;

    /// <summary>How many results ordered mode may hold ahead of the oldest unfinished request.</summary>
    public int OrderedWindow { get; init; } = 10_000;

    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromMinutes(10);

    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;
}
