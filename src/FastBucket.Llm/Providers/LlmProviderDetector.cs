using System.Net.Http.Headers;
using System.Text.Json;
using FastBucket.Providers.Wire;

namespace FastBucket.Providers;

/// <summary>
/// Tells which provider's conventions apply: from the API's base address, or, for a response saved to a file,
/// from the headers and body it carries.
/// </summary>
public static class LlmProviderDetector
{
    /// <summary>The provider serving <paramref name="baseAddress"/>, or <see cref="LlmProvider.Generic"/>.</summary>
    /// <param name="baseAddress">An absolute address such as <c>https://api.openai.com/v1/</c>.</param>
    /// <exception cref="ArgumentNullException"><paramref name="baseAddress"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="baseAddress"/> is not absolute.</exception>
    public static LlmProvider FromBaseAddress(Uri baseAddress)
    {
        ArgumentNullException.ThrowIfNull(baseAddress);
        if (!baseAddress.IsAbsoluteUri)
        {
            throw new ArgumentException("The base address must be an absolute URI.", nameof(baseAddress));
        }

        return FromHost(baseAddress.Host);
    }

    /// <summary>The provider serving <paramref name="host"/> (<c>api.anthropic.com</c>, <c>my-resource.openai.azure.com</c>), or <see cref="LlmProvider.Generic"/>.</summary>
    /// <param name="host">A host name, in any case.</param>
    /// <exception cref="ArgumentNullException"><paramref name="host"/> is <see langword="null"/>.</exception>
    public static LlmProvider FromHost(string host)
    {
        ArgumentNullException.ThrowIfNull(host);
        ReadOnlySpan<char> name = host.AsSpan().TrimEnd('.');
        if (IsOrUnder(name, "openai.azure.com") || IsOrUnder(name, "cognitiveservices.azure.com") || IsOrUnder(name, "services.ai.azure.com"))
        {
            return LlmProvider.AzureOpenAI;
        }

        if (IsOrUnder(name, "openai.com"))
        {
            return LlmProvider.OpenAI;
        }

        if (IsOrUnder(name, "anthropic.com"))
        {
            return LlmProvider.Anthropic;
        }

        if (IsOrUnder(name, "generativelanguage.googleapis.com"))
        {
            return LlmProvider.Gemini;
        }

        if (IsOrUnder(name, "openrouter.ai"))
        {
            return LlmProvider.OpenRouter;
        }

        return IsOrUnder(name, "groq.com") ? LlmProvider.Groq : LlmProvider.Generic;
    }

    /// <summary>
    /// Guesses the provider from what a response carries: provider-specific headers first
    /// (<c>anthropic-*</c>, <c>x-ms-*</c>/<c>apim-request-id</c>, <c>x-groq-*</c>, OpenRouter's unsuffixed
    /// <c>X-RateLimit-*</c>, <c>openai-*</c>), then the shape of the body. A response that carries only
    /// <c>Retry-After</c> is <see cref="LlmProvider.Generic"/>, which reads it the same way.
    /// </summary>
    /// <param name="response">The response.</param>
    /// <param name="body">Its body, or empty.</param>
    /// <exception cref="ArgumentNullException"><paramref name="response"/> is <see langword="null"/>.</exception>
    public static LlmProvider FromResponse(HttpResponseMessage response, ReadOnlySpan<byte> body)
    {
        ArgumentNullException.ThrowIfNull(response);
        LlmProvider fromHeaders = FromHeaders(response.Headers.NonValidated);
        if (fromHeaders != LlmProvider.Generic)
        {
            return fromHeaders;
        }

        using JsonDocument? document = JsonBody.TryParse(body);
        return document is null ? LlmProvider.Generic : FromBody(document.RootElement);
    }

    private static LlmProvider FromHeaders(HttpHeadersNonValidated headers)
    {
        bool openAIStyle = false;
        foreach (KeyValuePair<string, HeaderStringValues> header in headers)
        {
            ReadOnlySpan<char> name = header.Key;
            if (name.StartsWith("anthropic-", StringComparison.OrdinalIgnoreCase))
            {
                return LlmProvider.Anthropic;
            }

            if (name.StartsWith("x-ms-", StringComparison.OrdinalIgnoreCase) || name.Equals("apim-request-id", StringComparison.OrdinalIgnoreCase)
                || name.StartsWith("azureml-", StringComparison.OrdinalIgnoreCase))
            {
                return LlmProvider.AzureOpenAI;
            }

            if (name.StartsWith("x-groq-", StringComparison.OrdinalIgnoreCase))
            {
                return LlmProvider.Groq;
            }

            if (name.Equals("x-ratelimit-limit", StringComparison.OrdinalIgnoreCase)
                || name.Equals("x-ratelimit-remaining", StringComparison.OrdinalIgnoreCase)
                || name.Equals("x-ratelimit-reset", StringComparison.OrdinalIgnoreCase))
            {
                return LlmProvider.OpenRouter;
            }

            if (name.StartsWith("openai-", StringComparison.OrdinalIgnoreCase))
            {
                return LlmProvider.OpenAI;
            }

            openAIStyle |= name.StartsWith("x-ratelimit-limit-", StringComparison.OrdinalIgnoreCase)
                || name.StartsWith("x-ratelimit-reset-", StringComparison.OrdinalIgnoreCase);
        }

        // limit-*/reset-* without any Azure header: Azure standard deployments send only remaining-*.
        return openAIStyle ? LlmProvider.OpenAI : LlmProvider.Generic;
    }

    private static LlmProvider FromBody(JsonElement root)
    {
        if (root.ValueKind == JsonValueKind.Array && root.GetArrayLength() > 0)
        {
            root = root[0];
        }

        if (root.Property("type").AsString() == "error" && root.Property("error").ValueKind == JsonValueKind.Object)
        {
            return LlmProvider.Anthropic;
        }

        JsonElement data = root.Property("data");
        if (data.Property("is_free_tier").ValueKind != JsonValueKind.Undefined || data.Property("limit_remaining").ValueKind != JsonValueKind.Undefined)
        {
            return LlmProvider.OpenRouter;
        }

        JsonElement error = root.Property("error");
        string message = error.Property("message").AsString() ?? string.Empty;
        if (error.Property("status").ValueKind == JsonValueKind.String || error.Property("details").ValueKind == JsonValueKind.Array)
        {
            return LlmProvider.Gemini;
        }

        if (error.Property("metadata").ValueKind == JsonValueKind.Object || root.Property("user_id").ValueKind != JsonValueKind.Undefined
            || message.Contains("openrouter.ai", StringComparison.OrdinalIgnoreCase))
        {
            return LlmProvider.OpenRouter;
        }

        if (message.Contains("Azure OpenAI", StringComparison.OrdinalIgnoreCase)
            || (error.Property("code").AsString() is { Length: > 0 } code && code.AsSpan().IndexOfAnyExceptInRange('0', '9') < 0))
        {
            return LlmProvider.AzureOpenAI;
        }

        if (message.Contains("groq.com", StringComparison.OrdinalIgnoreCase) || message.Contains("service tier `on_demand`", StringComparison.Ordinal))
        {
            return LlmProvider.Groq;
        }

        if (message.Contains("platform.openai.com", StringComparison.OrdinalIgnoreCase)
            || error.Property("code").AsString() is "rate_limit_exceeded" or "insufficient_quota")
        {
            return LlmProvider.OpenAI;
        }

        return LlmProvider.Generic;
    }

    private static bool IsOrUnder(ReadOnlySpan<char> host, string domain) =>
        host.EndsWith(domain, StringComparison.OrdinalIgnoreCase)
        && (host.Length == domain.Length || host[host.Length - domain.Length - 1] == '.');
}
