namespace FastBucket.Providers;

/// <summary>An LLM API whose rate-limit signals FastBucket can read.</summary>
public enum LlmProvider
{
    /// <summary>Not known; only generic signals (Retry-After) are read.</summary>
    Generic = 0,

    /// <summary>OpenAI (<c>api.openai.com</c>): <c>x-ratelimit-*</c> headers with Go-style relative resets.</summary>
    OpenAI,

    /// <summary>Anthropic (<c>api.anthropic.com</c>): <c>anthropic-ratelimit-*</c> headers with RFC 3339 resets, input and output tokens apart.</summary>
    Anthropic,

    /// <summary>Google Gemini (<c>generativelanguage.googleapis.com</c>): no headers; waits and quota ids in the 429 body.</summary>
    Gemini,

    /// <summary>OpenRouter (<c>openrouter.ai</c>): <c>X-RateLimit-*</c> with epoch-millisecond resets, sometimes inside the 429 body.</summary>
    OpenRouter,

    /// <summary>Azure OpenAI: OpenAI-style headers where <c>-1</c> means "not reported".</summary>
    AzureOpenAI,

    /// <summary>Groq: OpenAI-style headers where the <c>*-requests</c> family counts per day.</summary>
    Groq,
}
