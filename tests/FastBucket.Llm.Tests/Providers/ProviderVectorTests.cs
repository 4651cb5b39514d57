using System.Globalization;
using System.Text.Json;
using FastBucket.Providers.Inspection;
using FastBucket.Providers;
using Microsoft.Extensions.Time.Testing;

namespace FastBucket.Llm.Tests.Providers;

/// <summary>Every case of <c>provider-vectors.json</c>, through the library API and through a saved <c>curl -i</c> file.</summary>
public sealed class ProviderVectorTests
{
    public static TheoryData<string> VectorIds() => ProviderVector.Ids();

    [Theory]
    [MemberData(nameof(VectorIds))]
    public void Read_Vector_ReportsExpectedSignals(string id)
    {
        ProviderVector vector = ProviderVector.All[id];
        using HttpResponseMessage response = vector.ToResponse();

        RateLimitSignals signals = RateLimitSignalReader.Read(vector.Provider, response, vector.Body, vector.Now);

        Assert.Equal(vector.Provider, signals.Provider);
        Assert.Equal(vector.Status, signals.StatusCode);
        ExpectedSignals.AssertMatches(vector.Expected, key => ValueOf(signals, key));
    }

    [Theory]
    [MemberData(nameof(VectorIds))]
    public async Task InspectAsync_VectorSavedAsCurlOutput_WritesExpectedJson(string id)
    {
        ProviderVector vector = ProviderVector.All[id];
        foreach ((bool http2, string lineEnd) in new[] { (false, "\r\n"), (true, "\n"), (true, "\r\n"), (false, "\n") })
        {
            using var file = new MemoryStream(vector.ToCurlOutput(http2, lineEnd));
            var clock = new FakeTimeProvider(new DateTimeOffset(2025, 1, 1, 0, 0, 0, TimeSpan.Zero));

            RawResponseInspection inspection = await RawResponseInspector.InspectAsync(file, provider: null, vector.GivenNow, clock);

            Assert.True(inspection.Succeeded, inspection.Error);
            Assert.Equal(vector.Status, inspection.Response!.StatusCode);
            Assert.True(
                inspection.Provider == vector.Provider || inspection.Provider == LlmProvider.Generic,
                $"detected {inspection.Provider} for a {vector.Provider} response");
            using JsonDocument written = WriteJson(inspection.Signals);
            foreach (JsonProperty property in written.RootElement.EnumerateObject())
            {
                Assert.Contains(property.Name, ExpectedSignals.Vocabulary);
            }

            ExpectedSignals.AssertMatches(
                vector.Expected,
                key => written.RootElement.TryGetProperty(key, out JsonElement value) ? value : null);
        }
    }

    [Theory]
    [MemberData(nameof(VectorIds))]
    public void Write_Vector_WritesEveryExpectedKeyAndNoUnknownKey(string id)
    {
        ProviderVector vector = ProviderVector.All[id];
        using HttpResponseMessage response = vector.ToResponse();
        RateLimitSignals signals = RateLimitSignalReader.Read(vector.Provider, response, vector.Body, vector.Now);

        using JsonDocument written = WriteJson(signals);

        var keys = written.RootElement.EnumerateObject().Select(p => p.Name).ToHashSet(StringComparer.Ordinal);
        Assert.Subset(ExpectedSignals.Vocabulary.ToHashSet(StringComparer.Ordinal), keys);
        Assert.Superset(vector.Expected.EnumerateObject().Select(p => p.Name).ToHashSet(StringComparer.Ordinal), keys);
    }

    [Fact]
    public void Vectors_AreAllLoaded()
    {
        // Guards against a silently empty theory: the shared data holds 41 cases.
        Assert.True(ProviderVector.All.Count >= 41, $"only {ProviderVector.All.Count} vectors loaded");
    }

    internal static JsonDocument WriteJson(in RateLimitSignals signals)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            RateLimitSignalsJsonWriter.Write(writer, signals);
        }

        return JsonDocument.Parse(buffer.ToArray());
    }

    /// <summary>Derives each <c>expected</c> key straight from the value, independently of the JSON writer.</summary>
    private static JsonElement? ValueOf(RateLimitSignals s, string key) => key switch
    {
        "requests_limit" => Json(s.Requests.Limit),
        "requests_remaining" => Json(s.Requests.Remaining),
        "requests_reset_seconds" => Json(s.Requests.Reset?.TotalSeconds),
        "tokens_limit" => Json(s.Tokens.Limit),
        "tokens_remaining" => Json(s.Tokens.Remaining),
        "tokens_reset_seconds" => Json(s.Tokens.Reset?.TotalSeconds),
        "input_tokens_limit" => Json(s.InputTokens.Limit),
        "input_tokens_remaining" => Json(s.InputTokens.Remaining),
        "input_tokens_reset_seconds" => Json(s.InputTokens.Reset?.TotalSeconds),
        "output_tokens_limit" => Json(s.OutputTokens.Limit),
        "output_tokens_remaining" => Json(s.OutputTokens.Remaining),
        "output_tokens_reset_seconds" => Json(s.OutputTokens.Reset?.TotalSeconds),
        "project_tokens_limit" => Json(s.ProjectTokens.Limit),
        "project_tokens_remaining" => Json(s.ProjectTokens.Remaining),
        "project_tokens_reset_seconds" => Json(s.ProjectTokens.Reset?.TotalSeconds),
        "priority_input_tokens_limit" => Json(s.PriorityInputTokens.Limit),
        "priority_input_tokens_remaining" => Json(s.PriorityInputTokens.Remaining),
        "priority_input_tokens_reset_seconds" => Json(s.PriorityInputTokens.Reset?.TotalSeconds),
        "priority_output_tokens_limit" => Json(s.PriorityOutputTokens.Limit),
        "priority_output_tokens_remaining" => Json(s.PriorityOutputTokens.Remaining),
        "priority_output_tokens_reset_seconds" => Json(s.PriorityOutputTokens.Reset?.TotalSeconds),
        "retry_after_seconds" => Json(s.RetryAfter?.TotalSeconds),
        "body_retry_hint_seconds" => Json(s.BodyRetryHint?.TotalSeconds),
        "error_code" => s.ErrorCodeIsNumber ? Json(long.Parse(s.ErrorCode!, CultureInfo.InvariantCulture)) : Json(s.ErrorCode),
        "error_type" => Json(s.ErrorType),
        "retryable" => Json(s.Retryable),
        "x_should_retry" => Json(s.ShouldRetryHeader),
        "quota_ids" => Json(s.QuotaViolations?.Select(v => v.QuotaId).ToArray()),
        "quota_limit" => Json(s.QuotaLimit),
        "tokens_limit_from_body" => Json(s.TokensLimitFromBody),
        "requests_window" => Json(s.RequestsWindow?.ToString().ToLowerInvariant()),
        "kind" => Json(s.KeyInfo is null ? null : "key_info"),
        "credit_limit_usd" => Json(s.KeyInfo?.CreditLimitUsd),
        "credit_remaining_usd" => Json(s.KeyInfo?.CreditRemainingUsd),
        "credit_limit_reset" => Json(s.KeyInfo?.CreditLimitReset),
        "usage_usd" => Json(s.KeyInfo?.UsageUsd),
        "is_free_tier" => Json(s.KeyInfo?.IsFreeTier),

        "rate_limit_requests" => Json(s.KeyInfo?.RateLimitRequests),
        "rate_limit_interval_seconds" => Json(s.KeyInfo?.RateLimitInterval?.TotalSeconds),
        _ => null,
    };

    private static JsonElement Json<T>(T value) => JsonSerializer.SerializeToElement(value);
}
