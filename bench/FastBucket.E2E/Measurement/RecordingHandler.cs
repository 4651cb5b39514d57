using System.Globalization;
using System.Net;

namespace FastBucket.E2E.Measurement;

/// <summary>
/// The innermost handler of every contender's client: notes each send of a request (found by its
/// <see cref="RequestIdHeader"/>) as it goes to the socket, and each 429 that comes back.
/// </summary>
internal sealed class RecordingHandler : DelegatingHandler
{
    public const string RequestIdHeader = "x-e2e-request";

    private readonly RunRecorder _recorder;

    public RecordingHandler(RunRecorder recorder, HttpMessageHandler inner)
        : base(inner)
    {
        _recorder = recorder;
    }

    public RecordingHandler(RunRecorder recorder)
    {
        _recorder = recorder;
    }

    public static void Tag(HttpRequestMessage request, int index) =>
        request.Headers.TryAddWithoutValidation(RequestIdHeader, index.ToString(CultureInfo.InvariantCulture));

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        if (request.Headers.TryGetValues(RequestIdHeader, out var values)
            && int.TryParse(values.FirstOrDefault(), NumberStyles.None, CultureInfo.InvariantCulture, out int index))
        {
            _recorder.Sent(index);
        }

        var response = await base.SendAsync(request, cancellationToken);
        if (response.StatusCode == HttpStatusCode.TooManyRequests)
        {
            _recorder.RateLimitedResponse();
        }

        return response;
    }
}
