using System.Runtime.CompilerServices;
using System.Text.Json;
using FastBucket.Cli.Batch;

namespace FastBucket.Cli.Demo;

/// <summary>The demo's generated workload: chat requests of varied prompt lengths and output budgets, in Batch API form.</summary>
internal static class DemoBatch
{
    private static readonly string[] Topics =
    [
        "token buckets", "the generic cell rate algorithm", "exponential backoff", "HTTP 429 responses", "retry budgets",
        "lock-free programming", "compare-and-swap loops", "the .NET thread pool", "System.IO.Pipelines", "value tasks",
        "rate limits per minute", "rate limits per day", "Anthropic's input and output token limits", "Retry-After headers",
    ];

    public static async IAsyncEnumerable<BatchInputLine> GenerateAsync(int count, string model, int seed, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var random = new Random(seed);
        for (int i = 1; i <= count; i++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            string topic = Topics[random.Next(Topics.Length)];
            int sentences = random.Next(1, 6);
            string prompt = $"Request {i}: in {sentences} sentence{(sentences == 1 ? "" : "s")}, explain {topic}" +
                string.Concat(Enumerable.Repeat(" with a concrete example and one pitfall", random.Next(0, 4))) + ".";
            var body = JsonSerializer.Serialize(new
            {
                model,
                max_tokens = random.Next(60, 201),
                messages = new[] { new { role = "user", content = prompt } },
            });
            yield return new BatchInputLine(i, $"demo-{i:D4}", "POST", "/v1/chat/completions", body, null);
            if (i % 64 == 0)
            {
                await Task.Yield();
            }
        }
    }
}
