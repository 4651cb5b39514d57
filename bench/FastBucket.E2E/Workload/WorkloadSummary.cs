using System.Globalization;
using FastBucket.E2E.Contenders.Cookbook;

namespace FastBucket.E2E.Workload;

/// <summary>The shape of a generated workload, for the report.</summary>
internal sealed record WorkloadSummary(int Count, double MeanPromptWords, int MinPromptWords, int MaxPromptWords, double MeanMaxTokens, double MeanEstimate, long TotalEstimate)
{
    public static WorkloadSummary Of(IReadOnlyList<WorkloadRequest> requests)
    {
        var words = requests.Select(r => r.Prompt.Split([' ', '\n'], StringSplitOptions.RemoveEmptyEntries).Length).ToArray();
        var estimates = requests.Select(r => (long)CookbookParallelProcessor.NumTokensConsumedFromRequest(r.Body, "chat/completions")).ToArray();
        return new WorkloadSummary(
            requests.Count,
            words.Average(),
            words.Min(),
            words.Max(),
            requests.Average(r => r.MaxTokens),
            estimates.Average(),
            estimates.Sum());
    }

    public string Describe() => string.Create(
        CultureInfo.InvariantCulture,
        $"prompts {MinPromptWords}-{MaxPromptWords} words (mean {MeanPromptWords:0.0}), max_tokens mean {MeanMaxTokens:0.0}; tiktoken (o200k) estimate of input + max_tokens: mean {MeanEstimate:0.0}, total {TotalEstimate:N0}");
}
