namespace FastBucket.Simulator.Providers.OpenAI;

/// <summary>The providers that serve OpenAI's chat completions shape, and what each changes in it.</summary>
internal enum ChatCompletionsFlavor
{
    /// <summary>OpenAI itself: model from the body.</summary>
    OpenAI,

    /// <summary>OpenRouter: <c>gen-</c> ids, a <c>provider</c> field, usage always at the end of a stream.</summary>
    OpenRouter,

    /// <summary>Azure OpenAI: the deployment from the route names the account; <c>api-version</c> is required.</summary>
    AzureOpenAI,
}
