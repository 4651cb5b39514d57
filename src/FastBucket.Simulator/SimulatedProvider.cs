namespace FastBucket.Simulator;

/// <summary>The provider APIs the simulator imitates.</summary>
public enum SimulatedProvider
{
    /// <summary>OpenAI: <c>/v1/chat/completions</c>, <c>/v1/responses</c>, <c>/v1/embeddings</c>.</summary>
    OpenAI,

    /// <summary>Anthropic: <c>/v1/messages</c>.</summary>
    Anthropic,

    /// <summary>Google Gemini API: <c>/v1beta/models/{model}:generateContent</c> and <c>:streamGenerateContent</c>.</summary>
    Gemini,

    /// <summary>OpenRouter: <c>/api/v1/chat/completions</c> and <c>/api/v1/key</c>.</summary>
    OpenRouter,

    /// <summary>Azure OpenAI: <c>/openai/deployments/{deployment}/chat/completions</c>.</summary>
    AzureOpenAI,
}
