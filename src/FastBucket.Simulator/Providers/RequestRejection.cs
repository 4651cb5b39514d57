namespace FastBucket.Simulator.Providers;

/// <summary>Why an endpoint refused to understand a request; the provider's dialect formats it.</summary>
/// <param name="StatusCode">400 for an invalid body, 404 for an unknown resource.</param>
/// <param name="Message">What is wrong, in the provider's words where known.</param>
internal sealed record RequestRejection(int StatusCode, string Message)
{
    public static RequestRejection Invalid(string message) => new(400, message);
}
