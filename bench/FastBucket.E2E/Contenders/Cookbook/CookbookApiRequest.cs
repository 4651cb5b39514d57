using FastBucket.E2E.Workload;

namespace FastBucket.E2E.Contenders.Cookbook;

/// <summary>The script's <c>APIRequest</c> dataclass: the request, its estimated token consumption and attempts left.</summary>
internal sealed class CookbookApiRequest(WorkloadRequest requestJson, int tokenConsumption, int attemptsLeft)
{
    public WorkloadRequest RequestJson { get; } = requestJson;

    public int TokenConsumption { get; } = tokenConsumption;

    public int AttemptsLeft { get; set; } = attemptsLeft;
}
