namespace FastBucket.Catalog;

/// <summary>One catalog entry in configuration (<c>FastBucket:Limits:Entries:n</c>).</summary>
/// <remarks>A limit left out or null is not limited; a stated limit must be a whole number of at least 1.</remarks>
public sealed class LimitEntryOptions
{
    /// <summary>The provider: <c>openai</c>, <c>anthropic</c>, <c>gemini</c>, <c>openrouter</c>, <c>azure-openai</c>, <c>groq</c>, <c>generic</c> or <c>deepseek</c>.</summary>
    public string? Provider { get; set; }

    /// <summary>A model name (<c>gpt-4o-mini</c>), a pattern (<c>gpt-4o*</c>) or <c>*</c> for every model.</summary>
    public string? Model { get; set; }

    /// <summary>The tier the entry is for (<c>tier-1</c>, <c>free</c>, ...); left out, it applies to every tier.</summary>
    public string? Tier { get; set; }

    /// <summary>Requests per minute.</summary>
    public long? Rpm { get; set; }

    /// <summary>Tokens per minute, input and output together.</summary>
    public long? Tpm { get; set; }

    /// <summary>Requests per day.</summary>
    public long? Rpd { get; set; }

    /// <summary>Input tokens per minute.</summary>
    public long? Itpm { get; set; }

    /// <summary>Output tokens per minute.</summary>
    public long? Otpm { get; set; }

    /// <summary>Tokens per day.</summary>
    public long? Tpd { get; set; }

    /// <summary>Requests in flight at once.</summary>
    public long? MaxConcurrency { get; set; }

    /// <summary>Where the numbers come from.</summary>
    public string? Source { get; set; }

    /// <summary>When they were read.</summary>
    public string? AsOf { get; set; }

    /// <summary>Remarks.</summary>
    public string? Notes { get; set; }

    /// <summary>
    /// The name of the one quota that every model the entry matches draws on, when the provider counts them together
    /// (a model family's combined limit, an account-wide limit); left out, each model has its own quota.
    /// </summary>
    public string? SharedAs { get; set; }
}
