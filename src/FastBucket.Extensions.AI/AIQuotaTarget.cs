using FastBucket.Catalog;
using FastBucket.Providers;

namespace FastBucket.Extensions.AI;

/// <summary>Which provider an M.E.AI client talks to, from the options or the client's metadata.</summary>
internal static class AIQuotaTarget
{
    /// <summary>The model a call's quota is keyed by when neither the call nor the client names one.</summary>
    internal const string UnknownModel = "(unknown)";

    /// <summary>
    /// The configured provider, else the one the endpoint's host names, else the one the provider name names
    /// (<c>openai</c>), else <see cref="LlmProvider.Generic"/>.
    /// </summary>
    internal static LlmProvider Provider(LlmProvider? configured, Uri? providerUri, string? providerName)
    {
        if (configured is { } provider)
        {
            return provider;
        }

        if (providerUri is { IsAbsoluteUri: true } && LlmProviderDetector.FromBaseAddress(providerUri) is var fromHost && fromHost != LlmProvider.Generic)
        {
            return fromHost;
        }

        return CatalogProviders.TryGetProvider(providerName) ?? LlmProvider.Generic;
    }

    /// <summary>The call's model, else the client's default, else <see cref="UnknownModel"/>.</summary>
    internal static string Model(string? requested, string? defaultModel) =>
        !string.IsNullOrWhiteSpace(requested) ? requested
        : !string.IsNullOrWhiteSpace(defaultModel) ? defaultModel
        : UnknownModel;
}
