using System.Text.Json;

namespace FastBucket.Cli.Tests;

/// <summary>Batch input lines and a reader for result files.</summary>
internal static class BatchFiles
{
    public static string ChatLine(string customId, int maxTokens = 16, string content = "Say hello.") => JsonSerializer.Serialize(new
    {
        custom_id = customId,
        method = "POST",
        url = "/v1/chat/completions",
        body = new { model = "gpt-4o-mini", max_tokens = maxTokens, messages = new[] { new { role = "user", content } } },
    });

    public static string[] ChatLines(int count, string prefix = "req-") =>
        [.. Enumerable.Range(1, count).Select(i => ChatLine($"{prefix}{i:D4}", content: $"Say hello to number {i}."))];

    public static List<ResultLine> ReadResults(string path) =>
        [.. File.ReadAllLines(path).Where(l => l.Length > 0).Select(ResultLine.Parse)];

    internal sealed record ResultLine(string CustomId, int? StatusCode, string? ErrorCode, string Raw)
    {
        public static ResultLine Parse(string line)
        {
            using var document = JsonDocument.Parse(line);
            var root = document.RootElement;
            int? status = root.GetProperty("response") is { ValueKind: JsonValueKind.Object } response ? response.GetProperty("status_code").GetInt32() : null;
            string? error = root.GetProperty("error") is { ValueKind: JsonValueKind.Object } e ? e.GetProperty("code").GetString() : null;
            Assert.StartsWith("batch_req_", root.GetProperty("id").GetString());
            return new ResultLine(root.GetProperty("custom_id").GetString()!, status, error, line);
        }
    }
}
