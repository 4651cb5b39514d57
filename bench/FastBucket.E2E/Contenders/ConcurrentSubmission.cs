using FastBucket.E2E.Measurement;
using FastBucket.E2E.Workload;

namespace FastBucket.E2E.Contenders;

/// <summary>
/// The submission scheme of the HttpClient-based contenders: every request is started at once (one task each,
/// all awaited with Task.WhenAll), so the limiter, not the caller, decides when each goes out.
/// </summary>
internal static class ConcurrentSubmission
{
    public static async Task RunAsync(
        IReadOnlyList<WorkloadRequest> requests,
        RunRecorder recorder,
        Func<WorkloadRequest, CancellationToken, Task<bool>> send,
        CancellationToken cancellationToken)
    {
        recorder.Submitted();
        var tasks = new Task[requests.Count];
        for (int i = 0; i < tasks.Length; i++)
        {
            tasks[i] = SendOneAsync(requests[i], recorder, send, cancellationToken);
        }

        await Task.WhenAll(tasks);
    }

    private static async Task SendOneAsync(
        WorkloadRequest request,
        RunRecorder recorder,
        Func<WorkloadRequest, CancellationToken, Task<bool>> send,
        CancellationToken cancellationToken)
    {
        bool succeeded;
        try
        {
            succeeded = await send(request, cancellationToken);
        }
        catch (Exception) when (!cancellationToken.IsCancellationRequested)
        {
            // A request that ends in an exception (timeout, open circuit, limiter rejection) has failed.
            succeeded = false;
        }

        recorder.Completed(request.Index, succeeded);
    }

    /// <summary>Sends with <paramref name="client"/> and reads the whole body; success is a 2xx.</summary>
    public static async Task<bool> SendWithAsync(HttpClient client, Uri root, WorkloadRequest request, CancellationToken cancellationToken)
    {
        using var message = ChatRequest.Create(root, request);
        using var response = await client.SendAsync(message, HttpCompletionOption.ResponseContentRead, cancellationToken);
        _ = await response.Content.ReadAsByteArrayAsync(cancellationToken);
        return response.IsSuccessStatusCode;
    }
}
