using System.Globalization;
using System.Text;
using System.Text.Json;
using FastBucket.Providers;

namespace FastBucket.Llm.Tests.Providers;

/// <summary>One case of the shared reference data <c>provider-vectors.json</c>.</summary>
internal sealed class ProviderVector
{
    private static readonly Lazy<IReadOnlyDictionary<string, ProviderVector>> s_all = new(Load);

    // Vectors without a "now" or a Date header only carry relative values; any clock reading will do.
    private static readonly DateTimeOffset s_arbitraryNow = new(2025, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private ProviderVector(JsonElement element)
    {
        Id = element.GetProperty("id").GetString()!;
        Provider = ParseProvider(element.GetProperty("provider").GetString()!);
        Status = element.GetProperty("status").GetInt32();
        Headers = [.. element.GetProperty("headers").EnumerateObject().Select(h => new KeyValuePair<string, string>(h.Name, h.Value.GetString()!))];
        JsonElement body = element.GetProperty("body");
        Body = body.ValueKind == JsonValueKind.Null ? [] : Encoding.UTF8.GetBytes(body.GetRawText());
        Expected = element.GetProperty("expected").Clone();
        GivenNow = element.TryGetProperty("now", out JsonElement now) ? DateTimeOffset.Parse(now.GetString()!, CultureInfo.InvariantCulture) : null;
    }

    public static IReadOnlyDictionary<string, ProviderVector> All => s_all.Value;

    public string Id { get; }

    public LlmProvider Provider { get; }

    public int Status { get; }

    public IReadOnlyList<KeyValuePair<string, string>> Headers { get; }

    public byte[] Body { get; }

    public JsonElement Expected { get; }

    /// <summary>The vector's own "now", when it has one.</summary>
    public DateTimeOffset? GivenNow { get; }

    /// <summary>The clock to read with: the vector's "now", else its Date header, else an arbitrary fixed instant.</summary>
    public DateTimeOffset Now
    {
        get
        {
            if (GivenNow is { } now)
            {
                return now;
            }

            foreach (KeyValuePair<string, string> header in Headers)
            {
                if (header.Key.Equals("date", StringComparison.OrdinalIgnoreCase))
                {
                    return DateTimeOffset.Parse(header.Value, CultureInfo.InvariantCulture);
                }
            }

            return s_arbitraryNow;
        }
    }

    public static TheoryData<string> Ids() => [.. All.Keys];

    public static LlmProvider ParseProvider(string name) => name switch
    {
        "openai" => LlmProvider.OpenAI,
        "anthropic" => LlmProvider.Anthropic,
        "gemini" => LlmProvider.Gemini,
        "openrouter" => LlmProvider.OpenRouter,
        "azure-openai" => LlmProvider.AzureOpenAI,
        "groq" => LlmProvider.Groq,
        "generic" => LlmProvider.Generic,
        _ => throw new InvalidDataException($"Unknown provider '{name}' in provider-vectors.json."),
    };

    public HttpResponseMessage ToResponse()
    {
        var response = new HttpResponseMessage((System.Net.HttpStatusCode)Status) { Content = new ByteArrayContent(Body) };
        foreach (KeyValuePair<string, string> header in Headers)
        {
            if (!response.Headers.TryAddWithoutValidation(header.Key, header.Value))
            {
                Assert.True(response.Content.Headers.TryAddWithoutValidation(header.Key, header.Value), $"header {header.Key} could not be added");
            }
        }

        return response;
    }

    /// <summary>The vector as <c>curl -i</c> would save it.</summary>
    public byte[] ToCurlOutput(bool http2, string lineEnd)
    {
        var text = new StringBuilder();
        text.Append(http2 ? $"HTTP/2 {Status}" : $"HTTP/1.1 {Status} {ReasonPhrase(Status)}").Append(lineEnd);
        foreach (KeyValuePair<string, string> header in Headers)
        {
            text.Append(header.Key).Append(": ").Append(header.Value).Append(lineEnd);
        }

        text.Append(lineEnd);
        return [.. Encoding.UTF8.GetBytes(text.ToString()), .. Body];
    }

    public override string ToString() => Id;

    private static string ReasonPhrase(int status) => status switch
    {
        200 => "OK",
        402 => "Payment Required",
        429 => "Too Many Requests",
        503 => "Service Unavailable",
        _ => "Status",
    };

    private static Dictionary<string, ProviderVector> Load()
    {
        string path = Path.Combine(AppContext.BaseDirectory, "Data", "provider-vectors.json");
        using JsonDocument document = JsonDocument.Parse(File.ReadAllBytes(path));
        var vectors = new Dictionary<string, ProviderVector>(StringComparer.Ordinal);
        foreach (JsonElement element in document.RootElement.EnumerateArray())
        {
            var vector = new ProviderVector(element);
            vectors.Add(vector.Id, vector);
        }

        return vectors;
    }
}
