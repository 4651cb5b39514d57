using System.Net;

namespace FastBucket.Benchmarks.Suites.Handler;

/// <summary>An inner handler that answers every request at once with the same chat completion: no network, so only the client side's own work is measured.</summary>
internal sealed class CannedResponseHandler(byte[] body, (string Name, string Value)[] headers) : HttpMessageHandler
{
    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var response = new HttpResponseMessage(HttpStatusCode.OK) { Content = new ByteArrayContent(body), RequestMessage = request };
        response.Content.Headers.TryAddWithoutValidation("Content-Type", "application/json");
        foreach ((string name, string value) in headers)
        {
            response.Headers.TryAddWithoutValidation(name, value);
        }

        return Task.FromResult(response);
    }
}
