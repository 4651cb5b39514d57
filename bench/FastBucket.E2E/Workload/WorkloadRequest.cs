namespace FastBucket.E2E.Workload;

/// <summary>
/// One generation request of the workload: its index (also its id on the wire), model, prompt and JSON body in the
/// provider's own form; where it goes (<see cref="Path"/> under the simulator's root) with which authentication
/// header; and the same request as an OpenAI chat body, from which the naive contenders estimate its tokens.
/// </summary>
internal sealed record WorkloadRequest(int Index, string Model, string Prompt, int MaxTokens, string Body)
{
    /// <summary>The path under the simulator's root; OpenAI chat completions unless the profile says otherwise.</summary>
    public string Path { get; init; } = "v1/chat/completions";

    /// <summary>The authentication (and version) headers: a Bearer key unless the profile says otherwise.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> Headers { get; init; } = [new("Authorization", "Bearer " + Contenders.ChatRequest.ApiKey)];

    /// <summary>The request as an OpenAI chat body, for the cookbook's token estimate; the body itself when that is one.</summary>
    public string EstimateBody { get; init; } = Body;
}
