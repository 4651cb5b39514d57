using System.Net;

namespace FastBucket.Tests.RateLimiting;

/// <summary>An in-memory primary handler: answers 200 to everything and counts what reached it.</summary>
internal sealed class CountingHandler : HttpMessageHandler
{
    private int _requests;

    public int Requests => Volatile.Read(ref _requests);

    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _requests);
        return Task.FromResult(new HttpResponseMessage(HttpStatusCode.OK) { RequestMessage = request });
    }
}
