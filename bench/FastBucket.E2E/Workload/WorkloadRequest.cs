namespace FastBucket.E2E.Workload;

/// <summary>One chat completion of the workload: its index (also its id on the wire), model, prompt and JSON body.</summary>
internal sealed record WorkloadRequest(int Index, string Model, string Prompt, int MaxTokens, string Body);
