using System.Text;
using FastBucket.E2E.Measurement;
using FastBucket.E2E.Workload;

namespace FastBucket.E2E.Contenders;

/// <summary>The HTTP form of a workload request: POST {root}{path} with its authentication headers (OpenAI chat completions with a Bearer key by default).</summary>
internal static class ChatRequest
{
    public const string ApiKey = "sk-e2e-benchmark";

    public static Uri Endpoint(Uri root) => new(root, "v1/chat/completions");

    public static HttpRequestMessage Create(Uri root, WorkloadRequest request)
    {
        var message = new HttpRequestMessage(HttpMethod.Post, new Uri(root, request.Path))
        {
            Content = new StringContent(request.Body, Encoding.UTF8, "application/json"),
        };
        foreach (KeyValuePair<string, string> header in request.Headers)
        {
            message.Headers.TryAddWithoutValidation(header.Key, header.Value);
        }

        RecordingHandler.Tag(message, request.Index);
        return message;
    }
}
