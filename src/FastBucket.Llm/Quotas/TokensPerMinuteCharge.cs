namespace FastBucket.Quotas;

/// <summary>
/// How a provider charges a request to its tokens-per-minute limit when it admits it, and whether it settles that
/// charge with the real usage when the request completes. The quota charges and reconciles the same way, so that what
/// it counts is what the provider counts.
/// </summary>
public enum TokensPerMinuteCharge
{
    /// <summary>
    /// Input plus reserved output at admission, settled to the real input plus output at completion. Anthropic's
    /// documented behaviour for output ("estimated based on max_tokens at the beginning of each request, and adjusted
    /// at the end"), and FastBucket's reading where a provider documents nothing (Groq, OpenRouter, OpenAI-compatible
    /// servers): if the provider keeps the charge instead, its remaining counts lower the level.
    /// </summary>
    InputAndOutputSettled = 0,

    /// <summary>Input tokens only, settled to the reported input: Gemini's tokens-per-minute quota counts input tokens only.</summary>
    InputOnly,

    /// <summary>
    /// The larger of the input and the reserved output, kept: OpenAI's "the maximum of max_tokens and the estimated
    /// number of tokens based on the character count of your request", counted at admission. No output is given back;
    /// the input is settled to the provider's own count of it.
    /// </summary>
    LargerOfInputAndOutputKept,

    /// <summary>
    /// Input plus reserved output, kept: Azure OpenAI adds "the estimated max-processed-token count" (prompt plus
    /// max_tokens) of each request to a running count that resets each minute. No output is given back; the input is
    /// settled to the provider's own count of it.
    /// </summary>
    InputAndOutputKept,
}
