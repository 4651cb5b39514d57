using System.Globalization;
using FastBucket.E2E.Measurement;
using FastBucket.E2E.Workload;

namespace FastBucket.E2E.Contenders.Cookbook;

/// <summary>The OpenAI cookbook's api_request_parallel_processor throttle, told the account's exact limits, max_attempts = 5.</summary>
internal sealed class CookbookContender : IContender
{
    public const int MaxAttempts = 5;

    public string Name => "Cookbook parallel processor (port)";

    public string Wiring =>
        "C# port of openai-cookbook `examples/api_request_parallel_processor.py`: 1 ms loop, request and token capacity refilled "
        + "each loop by elapsed × limit / 60 (max_requests_per_minute = RPM, max_tokens_per_minute = TPM, no headroom), "
        + "estimate = o200k prompt tokens + 4/message + 2 + max_tokens, max_attempts = 5, a 'Rate limit' error pauses the loop "
        + "15 s; requests read one at a time from the list (its own submission scheme); client mirrors aiohttp (100 connections, 300 s timeout)";

    public async Task<string> RunAsync(Uri root, IReadOnlyList<WorkloadRequest> requests, LimitShape limits, RunRecorder recorder, CancellationToken cancellationToken)
    {
        var processor = new CookbookParallelProcessor(recorder);
        await processor.ProcessApiRequestsAsync(
            requests,
            root,
            limits.RequestsPerMinute,
            limits.TokensPerMinute,
            MaxAttempts,
            cancellationToken);
        var status = processor.Status;
        return string.Create(
            CultureInfo.InvariantCulture,
            $"status tracker: {status.NumTasksSucceeded} succeeded, {status.NumTasksFailed} failed, {status.NumRateLimitErrors} rate limit errors, {status.NumApiErrors} other API errors, {status.NumOtherErrors} exceptions; loop paused {status.NumPauses} times");
    }
}
