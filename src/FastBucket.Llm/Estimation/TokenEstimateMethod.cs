namespace FastBucket.Estimation;

/// <summary>How an input-token estimate was obtained.</summary>
public enum TokenEstimateMethod
{
    /// <summary>
    /// Counted with the model's own tokenizer and the provider's published message overheads (OpenAI models);
    /// images and tool calls inside the request are still fixed estimates.
    /// </summary>
    Exact = 0,

    /// <summary>Counted with a stand-in tokenizer and a documented factor (Anthropic, Gemini, unknown models); calibrated from usage.</summary>
    Approximate,

    /// <summary>The body could not be read as a known request shape; charged body bytes / 3 input tokens.</summary>
    Fallback,
}
