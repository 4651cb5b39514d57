namespace FastBucket.Simulator.Accounting;

/// <summary>What a request charges to the token dimensions (TPM, TPD) at admission, from the simulator's own
/// input count and the request's output maximum.</summary>
public enum TokenCharge
{
    /// <summary>Each provider's own default: input plus requested output, except Gemini which counts input only.</summary>
    ProviderDefault,

    /// <summary>Input plus requested output (max_tokens): Azure OpenAI ("an estimate of the maximum processed tokens",
    /// prompt plus max_tokens, https://learn.microsoft.com/azure/ai-foundry/openai/how-to/quota).</summary>
    InputPlusMaxOutput,

    /// <summary>The larger of the two: OpenAI's literal rule, "calculated as the maximum of max_tokens and the
    /// estimated number of tokens based on the character count of your request"
    /// (https://platform.openai.com/docs/guides/rate-limits).</summary>
    MaxOfInputAndMaxOutput,

    /// <summary>Input tokens only (Gemini's TPM counts input tokens, https://ai.google.dev/gemini-api/docs/rate-limits).</summary>
    InputOnly,
}
