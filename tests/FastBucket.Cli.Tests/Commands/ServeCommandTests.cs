using System.Net;
using System.Net.Http.Json;

namespace FastBucket.Cli.Tests.Commands;

/// <summary><c>fastbucket serve</c> as a real process: the simulator standalone, stopped by SIGTERM.</summary>
public sealed class ServeCommandTests
{
    [Fact]
    public async Task Serve_PrintsItsUrlServesOpenAIAndStopsOnSigterm()
    {
        using var dir = new TemporaryDirectory();
        using var process = CliProcess.Start(dir.Path, null, "serve", "--limits", "rpm=2", "--seed", "1");
        var stderr = process.StandardError.ReadToEndAsync();
        string? url = await process.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromMinutes(1));
        Assert.NotNull(url);
        Assert.StartsWith("http://127.0.0.1:", url, StringComparison.Ordinal);

        using var client = new HttpClient { BaseAddress = new Uri(url) };
        client.DefaultRequestHeaders.Authorization = new("Bearer", "sk-serve-test");
        var body = new { model = "gpt-4o-mini", max_tokens = 5, messages = new[] { new { role = "user", content = "hi" } } };
        var statuses = new List<HttpStatusCode>();
        for (int i = 0; i < 3; i++)
        {
            using var response = await client.PostAsJsonAsync("v1/chat/completions", body);
            statuses.Add(response.StatusCode);
        }

        // rpm=2: the third request within the minute is the simulator's 429, with OpenAI's headers.
        Assert.Equal([HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.TooManyRequests], statuses);

        using (var kill = System.Diagnostics.Process.Start("kill", ["-TERM", process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
        {
            await kill.WaitForExitAsync();
        }

        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(1));
        Assert.Equal(0, process.ExitCode);
        Assert.Contains("openai", await stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Serve_AccountingOpenAI_QuantizesTheMinuteAndAnswers429WithoutRetryAfter()
    {
        using var dir = new TemporaryDirectory();
        using var process = CliProcess.Start(dir.Path, null, "serve", "--limits", "rpm=60,tpm=100000", "--accounting", "openai", "--enforcement", "rpd=day:UTC", "--seed", "1");
        var stderr = process.StandardError.ReadToEndAsync();
        string? url = await process.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromMinutes(1));
        Assert.NotNull(url);

        using var client = new HttpClient { BaseAddress = new Uri(url) };
        client.DefaultRequestHeaders.Authorization = new("Bearer", "sk-serve-test");
        var body = new { model = "gpt-4o-mini", max_tokens = 5, messages = new[] { new { role = "user", content = "hi" } } };
        using var first = await client.PostAsJsonAsync("v1/chat/completions", body);
        using var second = await client.PostAsJsonAsync("v1/chat/completions", body);

        // 60 RPM enforced as one per second: the second request, a few milliseconds later, is refused, and OpenAI's
        // 429 states its wait only in the message.
        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal(HttpStatusCode.TooManyRequests, second.StatusCode);
        Assert.False(second.Headers.Contains("retry-after"));
        Assert.Contains("Please try again in", await second.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        using (var kill = System.Diagnostics.Process.Start("kill", ["-TERM", process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
        {
            await kill.WaitForExitAsync();
        }

        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(1));
        Assert.Contains("Accounting: openai", await stderr, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--accounting", "bedrock", "--accounting: expected one of")]
    [InlineData("--enforcement", "rpm=window:0s", "--enforcement: ")]
    [InlineData("--enforcement", "rpm=bucket+refund", "+refund")]
    public async Task Serve_BadAccountingOption_ExitsWithUsageErrorNamingIt(string option, string value, string expected)
    {
        using var dir = new TemporaryDirectory();
        var result = await CliProcess.RunAsync(dir.Path, null, TimeSpan.FromMinutes(1), "serve", option, value);

        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains(expected, result.StdErr, StringComparison.Ordinal);
    }
}
