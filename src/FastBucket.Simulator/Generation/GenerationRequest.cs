namespace FastBucket.Simulator.Generation;

/// <summary>What an endpoint understood of a request: enough to charge, generate and shape the response.</summary>
internal sealed record GenerationRequest
{
    /// <summary>The model (Azure: the deployment), which with the API key names the account.</summary>
    public required string Model { get; init; }

    /// <summary>The simulator's estimate of the input tokens.</summary>
    public required long InputTokens { get; init; }

    /// <summary>The most output tokens the request allows (its own maximum, else the configured default; 0 for embeddings).</summary>
    public required int MaxOutputTokens { get; init; }

    /// <summary>Anthropic: the tokens of the prefix up to the last <c>cache_control</c> block; 0 when none.</summary>
    public long CachePrefixTokens { get; init; }

    /// <summary>Anthropic: the identity of that prefix; <see langword="null"/> when none.</summary>
    public string? CachePrefixKey { get; init; }

    /// <summary>Input tokens read from the prompt cache (set at admission when prompt caching is simulated).</summary>
    public long CacheReadTokens { get; init; }

    /// <summary>Input tokens written to the prompt cache (set at admission when prompt caching is simulated).</summary>
    public long CacheWriteTokens { get; init; }

    /// <summary>Whether the response streams.</summary>
    public bool Stream { get; init; }

    /// <summary>Whether a streamed response ends with usage (OpenAI's <c>stream_options.include_usage</c>).</summary>
    public bool IncludeUsage { get; init; }

    /// <summary>Gemini's <c>alt=sse</c> form of streaming rather than a JSON array.</summary>
    public bool ServerSentEvents { get; init; }

    /// <summary>The operation name Azure states in its errors.</summary>
    public string Operation { get; init; } = "ChatCompletions_Create";

    /// <summary>The <c>api-version</c> of an Azure request.</summary>
    public string? ApiVersion { get; init; }

    /// <summary>How many embeddings to return.</summary>
    public int EmbeddingInputs { get; init; }

    /// <summary>The length of each embedding.</summary>
    public int EmbeddingDimensions { get; init; }

    /// <summary>Whether embeddings are returned as base64 float32 arrays.</summary>
    public bool EmbeddingBase64 { get; init; }
}
