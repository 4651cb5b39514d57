using System.Text;
using FastBucket.E2E.Measurement;
using FastBucket.E2E.Workload;

namespace FastBucket.E2E.Contenders;

/// <summary>The HTTP form of a workload request: POST {root}v1/chat/completions with a Bearer key.</summary>
internal static class ChatRequest
{
    public const string ApiKey = "sk-e2e-benchmark";

    public static Uri Endpoint(Uri root) => new(root, "v1/chat/completions");

    public static HttpRequestMessage Create(Uri root, WorkloadRequest request)
    {
        var message = new HttpRequestMessage(HttpMethod.Post, Endpoint(root))
        {
            Content = new StringContent(request.Body, Encoding.UTF8, "application/json"),
        };
        message.Headers.TryAddWithoutValidation("Authorization", "Bearer " + ApiKey);
        RecordingHandler.Tag(message, request.Index);
        return message;
    }
}
