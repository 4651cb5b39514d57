using System.Net.Http.Headers;
using FastBucket.Providers;

namespace FastBucket.Cli.Batch;

/// <summary>Where a provider's requests go and how they are authenticated: its default base URL, default path and key header.</summary>
internal sealed class ProviderEndpoint
{
    private ProviderEndpoint(LlmProvider provider, string name, Uri? defaultBaseUrl, string defaultKeyVariable)
    {
        Provider = provider;
        Name = name;
        DefaultBaseUrl = defaultBaseUrl;
        DefaultKeyVariable = defaultKeyVariable;
    }

    /// <summary>The names <c>--provider</c> accepts.</summary>
    public static IReadOnlyList<string> Names { get; } = ["openai", "anthropic", "gemini", "openrouter", "azure"];

    public LlmProvider Provider { get; }

    public string Name { get; }

    /// <summary>The provider's public root, or <see langword="null"/> when each user has their own (Azure).</summary>
    public Uri? DefaultBaseUrl { get; }

    /// <summary>The environment variable that holds the API key unless <c>--api-key-env</c> names another.</summary>
    public string DefaultKeyVariable { get; }

    public static ProviderEndpoint For(string name) => name.ToLowerInvariant() switch
    {
        "openai" => new(LlmProvider.OpenAI, "openai", new Uri("https://api.openai.com/"), "OPENAI_API_KEY"),
        "anthropic" => new(LlmProvider.Anthropic, "anthropic", new Uri("https://api.anthropic.com/"), "ANTHROPIC_API_KEY"),
        "gemini" => new(LlmProvider.Gemini, "gemini", new Uri("https://generativelanguage.googleapis.com/"), "GEMINI_API_KEY"),
        "openrouter" => new(LlmProvider.OpenRouter, "openrouter", new Uri("https://openrouter.ai/"), "OPENROUTER_API_KEY"),
        "azure" or "azure-openai" or "azureopenai" => new(LlmProvider.AzureOpenAI, "azure", null, "AZURE_OPENAI_API_KEY"),
        _ => throw new ArgumentOutOfRangeException(nameof(name), name, $"Unknown provider; expected one of: {string.Join(", ", Names)}."),
    };

    /// <summary>The Azure OpenAI API version used where a line names none.</summary>
    public const string AzureApiVersion = "2024-10-21";

    /// <summary>The path a bare request body goes to when the line names none.</summary>
    public string DefaultPath(string? model) => Provider switch
    {
        LlmProvider.Anthropic => "/v1/messages",
        LlmProvider.Gemini => $"/v1beta/models/{Uri.EscapeDataString(model ?? "gemini-2.0-flash")}:generateContent",
        LlmProvider.OpenRouter => "/api/v1/chat/completions",
        LlmProvider.AzureOpenAI => AzureDeploymentPath(model, "/chat/completions", query: string.Empty),
        _ => "/v1/chat/completions",
    };

    /// <summary>
    /// The path a line goes to: its own <paramref name="url"/>, or the default for a bare body. On Azure OpenAI an
    /// OpenAI Batch API path (<c>/chat/completions</c>, <c>/v1/chat/completions</c>, <c>/completions</c>,
    /// <c>/embeddings</c>) is served under the deployment, <c>/openai/deployments/{model}/...?api-version=...</c>
    /// (the resource root answers 404 to it); a path already under <c>/openai/</c> is kept as it is.
    /// </summary>
    /// <param name="url">The line's path and query, or <see langword="null"/>.</param>
    /// <param name="model">The line's model (Azure: the deployment), or <see langword="null"/>.</param>
    public string PathFor(string? url, string? model)
    {
        if (url is null)
        {
            return DefaultPath(model);
        }

        if (Provider != LlmProvider.AzureOpenAI || url.StartsWith("/openai/", StringComparison.Ordinal))
        {
            return url;
        }

        int q = url.IndexOf('?', StringComparison.Ordinal);
        string path = q < 0 ? url : url[..q];
        string query = q < 0 ? string.Empty : url[(q + 1)..];
        if (path.StartsWith("/v1/", StringComparison.Ordinal))
        {
            path = path[3..];
        }

        return path is "/chat/completions" or "/completions" or "/embeddings" ? AzureDeploymentPath(model, path, query) : url;
    }

    private static string AzureDeploymentPath(string? model, string operation, string query)
    {
        bool versioned = query.Split('&').Any(p => p.StartsWith("api-version=", StringComparison.Ordinal));
        string version = versioned ? query : query.Length == 0 ? $"api-version={AzureApiVersion}" : $"{query}&api-version={AzureApiVersion}";
        return $"/openai/deployments/{Uri.EscapeDataString(model ?? "gpt-4o-mini")}{operation}?{version}";
    }

    /// <summary>
    /// Joins the base URL and a line's path. A base URL may carry a prefix (<c>https://host/v1</c>); a path that starts
    /// with the same segment (a Batch API line's <c>/v1/chat/completions</c>) does not repeat it.
    /// </summary>
    public static Uri Combine(Uri baseUrl, string path)
    {
        string root = baseUrl.GetLeftPart(UriPartial.Path).TrimEnd('/');
        string prefix = baseUrl.AbsolutePath.TrimEnd('/');
        if (prefix.Length > 0 && (path.StartsWith(prefix + "/", StringComparison.Ordinal) || path == prefix))
        {
            root = root[..^prefix.Length];
        }

        return new Uri(root + path);
    }

    /// <summary>Adds the key in the header the provider expects, plus the headers its API requires.</summary>
    public void Authorize(HttpRequestMessage request, string? apiKey)
    {
        if (Provider == LlmProvider.Anthropic)
        {
            request.Headers.TryAddWithoutValidation("anthropic-version", "2023-06-01");
        }

        if (string.IsNullOrEmpty(apiKey))
        {
            return;
        }

        switch (Provider)
        {
            case LlmProvider.Anthropic:
                request.Headers.TryAddWithoutValidation("x-api-key", apiKey);
                break;
            case LlmProvider.Gemini:
                request.Headers.TryAddWithoutValidation("x-goog-api-key", apiKey);
                break;
            case LlmProvider.AzureOpenAI:
                request.Headers.TryAddWithoutValidation("api-key", apiKey);
                break;
            default:
                request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", apiKey);
                break;
        }
    }
}
