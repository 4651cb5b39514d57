using System.Text.Json;

namespace FastBucket.E2E.Workload;

/// <summary>
/// Builds the same request list for every contender from a seed: gpt-4o-mini chat bodies with prompts of an instruction and
/// a 10 to 100 word window of an English passage and max_tokens from 100 to 300, so that the token limit binds before the request limit.
/// </summary>
internal static class WorkloadGenerator
{
    public const string Model = "gpt-4o-mini";

    internal const string Source =
        "The river town grew up around a wooden bridge that carried farmers and their carts to the market on the other side. For most of the year the water was slow and brown, and children fished from the banks while their parents traded grain, wool and cheese. In the spring, when the snow melted in the hills, the river rose quickly and more than once it carried the bridge away. Each time the town rebuilt it, a little higher and a little stronger, until a stone bridge with three arches replaced the last wooden one. The new bridge changed the town in ways nobody had planned. Merchants from the coast could now reach the market in every season, so prices fell and new shops opened along the main street. A school was built, then a library, and later a small hospital. Some families who had lived by the river for generations moved away to the city, while others arrived to work in the mills that now used the river's power. Today the mills are closed, but the bridge still stands, and visitors come to walk across it, read the names carved into its stones, and eat in the restaurants that fill the old warehouses. The town council is now discussing whether to close the bridge to cars, which would make it safer for people on foot but would send traffic on a long road around the valley. Shop owners worry that fewer customers will stop, while residents who live near the bridge complain about noise and pollution. The council has asked for a report that compares both options, lists the costs of each, and explains how other towns solved the same problem.";

    internal static readonly string[] Words = Source.Split(' ');

    internal static readonly string[] Tasks =
    [
        "Summarize the following text in a few sentences:",
        "Answer the questions a reader might ask about this passage:",
        "Rewrite this passage in a more formal style:",
        "List the main facts in this text:",
        "Translate this passage into plain language for a child:",
    ];

    public static IReadOnlyList<WorkloadRequest> Generate(int count, int seed)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        var random = new Random(seed);
        var requests = new WorkloadRequest[count];
        for (int i = 0; i < count; i++)
        {
            int words = random.Next(10, 101);
            int start = random.Next(Words.Length);
            var passage = string.Join(' ', Enumerable.Range(start, words).Select(w => Words[w % Words.Length]));
            var prompt = Tasks[random.Next(Tasks.Length)] + "\n\n" + passage;
            int maxTokens = random.Next(100, 301);
            string body = JsonSerializer.Serialize(new Dictionary<string, object>
            {
                ["model"] = Model,
                ["messages"] = new[] { new Dictionary<string, string> { ["role"] = "user", ["content"] = prompt } },
                ["max_tokens"] = maxTokens,
            });
            requests[i] = new WorkloadRequest(i, Model, prompt, maxTokens, body);
        }

        return requests;
    }
}
