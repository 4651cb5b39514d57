using FastBucket.Estimation;
using FastBucket.Providers;
using Microsoft.ML.Tokenizers;
using static FastBucket.Llm.Tests.Estimation.CookbookExamples;

namespace FastBucket.Llm.Tests.Estimation;

public sealed class OpenAIEstimateTests
{
    // An independent oracle for text counts: the tokenizer library itself, not FastBucket's walkers.
    private static readonly Tokenizer O200k = TiktokenTokenizer.CreateForEncoding("o200k_base");

    private readonly TokenEstimator _estimator = new(new TokenEstimatorOptions(), calibrator: null);

    // Prompt tokens the OpenAI API reported for the cookbook's example messages (section 6).
    [Theory]
    [InlineData("gpt-3.5-turbo", 129)]
    [InlineData("gpt-4-0613", 129)]
    [InlineData("gpt-4", 129)]
    [InlineData("gpt-4o", 124)]
    [InlineData("gpt-4o-mini", 124)]
    public void Estimate_CookbookMessages_MatchesPromptTokensTheApiReported(string model, long expected)
    {
        TokenEstimate estimate = _estimator.Estimate(LlmProvider.OpenAI, null, JargonChatBody(model));

        Assert.Equal(TokenEstimateMethod.Exact, estimate.Method);
        Assert.Equal(expected, estimate.Cost.InputTokens);
        Assert.Equal(1, estimate.Cost.Requests);
        Assert.Equal(1, estimate.Cost.OutputTokens);
        Assert.Equal(model, estimate.Model);
    }

    // Prompt tokens the OpenAI API reported for the cookbook's weather tool example (section 7).
    [Theory]
    [InlineData("gpt-3.5-turbo", 105)]
    [InlineData("gpt-4", 105)]
    [InlineData("gpt-4o", 101)]
    [InlineData("gpt-4o-mini", 101)]
    public void Estimate_CookbookToolsExample_MatchesPromptTokensTheApiReported(string model, long expected)
    {
        TokenEstimate estimate = _estimator.Estimate(LlmProvider.OpenAI, null, WeatherChatBody(model));

        Assert.Equal(expected, estimate.Cost.InputTokens);
    }

    [Fact]
    public void Estimate_LegacyFunctionsList_CountsLikeTheSameTools()
    {
        string functions = """
            [{"name": "get_current_weather", "description": "Get the current weather in a given location",
              "parameters": {"type": "object", "properties": {
                "location": {"type": "string", "description": "The city and state, e.g. San Francisco, CA"},
                "unit": {"type": "string", "description": "The unit of temperature to return", "enum": ["celsius", "fahrenheit"]}}}}]
            """;
        byte[] body = Utf8($$"""{"model": "gpt-4o", "messages": {{WeatherMessages}}, "functions": {{functions}}}""");

        Assert.Equal(101, _estimator.Estimate(LlmProvider.OpenAI, null, body).Cost.InputTokens);
    }

    [Theory]
    [InlineData(LlmProvider.AzureOpenAI)]
    [InlineData(LlmProvider.OpenRouter)]
    [InlineData(LlmProvider.Generic)]
    public void Estimate_OpenAIModelOnCompatibleProvider_IsExact(LlmProvider provider)
    {
        TokenEstimate estimate = _estimator.Estimate(provider, "gpt-4o", JargonChatBody("deployment-name"));

        Assert.Equal(TokenEstimateMethod.Exact, estimate.Method);
        Assert.Equal(124, estimate.Cost.InputTokens);
        Assert.Equal("gpt-4o", estimate.Model);
    }

    [Fact]
    public void Estimate_UnknownModelOnCompatibleProvider_IsApproximateWithO200kAsIs()
    {
        TokenEstimate estimate = _estimator.Estimate(LlmProvider.Groq, null, JargonChatBody("llama-3.3-70b-versatile"));

        Assert.Equal(TokenEstimateMethod.Approximate, estimate.Method);
        Assert.Equal(124, estimate.Cost.InputTokens);
    }

    [Fact]
    public void Estimate_TextContentParts_CountLikePlainStrings()
    {
        byte[] plain = Utf8("""{"model": "gpt-4o", "messages": [{"role": "user", "content": "tiktoken is great!"}]}""");
        byte[] parts = Utf8("""{"model": "gpt-4o", "messages": [{"role": "user", "content": [{"type": "text", "text": "tiktoken is great!"}]}]}""");

        long expected = 3 + 1 + 6 + 3; // message framing, "user", the cookbook's 6 tokens, reply priming
        Assert.Equal(expected, _estimator.Estimate(LlmProvider.OpenAI, null, plain).Cost.InputTokens);
        Assert.Equal(expected, _estimator.Estimate(LlmProvider.OpenAI, null, parts).Cost.InputTokens);
    }

    [Theory]
    [InlineData("high", 85 + (8 * 170))]
    [InlineData("auto", 85 + (8 * 170))]
    [InlineData("low", 85)]
    public void Estimate_ImageOfUnknownSize_ChargesTheMostTilesAnImageCanTake(string detail, long imageTokens)
    {
        byte[] withImage = Utf8($$$"""
            {"model": "gpt-4o", "messages": [{"role": "user", "content": [
              {"type": "text", "text": "tiktoken is great!"},
              {"type": "image_url", "image_url": {"url": "data:image/png;base64,AAAA", "detail": "{{{detail}}}"}}]}]}
            """);

        Assert.Equal(3 + 1 + 6 + 3 + imageTokens, _estimator.Estimate(LlmProvider.OpenAI, null, withImage).Cost.InputTokens);
    }

    [Fact]
    public void Estimate_AssistantToolCalls_CountNameArgumentsAndFraming()
    {
        const string arguments = "{\\\"location\\\": \\\"San Francisco, CA\\\"}";
        byte[] body = Utf8($$$"""
            {"model": "gpt-4o", "messages": [
              {"role": "assistant", "content": null, "tool_calls": [
                {"id": "call_1", "type": "function", "function": {"name": "get_current_weather", "arguments": "{{{arguments}}}"}}]}]}
            """);

        long expected = 3 + O200k.CountTokens("assistant") + 3
            + 3 + O200k.CountTokens("get_current_weather") + O200k.CountTokens("{\"location\": \"San Francisco, CA\"}");
        Assert.Equal(expected, _estimator.Estimate(LlmProvider.OpenAI, null, body).Cost.InputTokens);
    }

    [Fact]
    public void Estimate_ResponsesInputItems_CountLikeTheSameChatMessages()
    {
        // Responses messages carry no "name", so the cookbook's nameless weather messages are used.
        byte[] responses = Utf8($$"""{"model": "gpt-4o", "input": {{WeatherMessages}}, "max_output_tokens": 1}""");
        byte[] chat = Utf8($$"""{"model": "gpt-4o", "messages": {{WeatherMessages}}}""");

        TokenEstimate estimate = _estimator.Estimate(LlmProvider.OpenAI, null, responses);

        Assert.Equal(_estimator.Estimate(LlmProvider.OpenAI, null, chat).Cost.InputTokens, estimate.Cost.InputTokens);
        Assert.Equal(1, estimate.Cost.OutputTokens);
    }

    [Fact]
    public void Estimate_ResponsesStringInputAndInstructions_AreFramedAsTwoMessages()
    {
        byte[] body = Utf8("""{"model": "gpt-5", "instructions": "tiktoken is great!", "input": "hello world"}""");

        // Each framed as a chat message with a one-token role, plus reply priming.
        long expected = (3 + 1 + 6) + (3 + 1 + 2) + 3;
        Assert.Equal(expected, _estimator.Estimate(LlmProvider.OpenAI, null, body).Cost.InputTokens);
    }

    [Fact]
    public void Estimate_ResponsesFlatFunctionTool_CountsLikeTheChatTool()
    {
        string tool = """
            {"type": "function", "name": "get_current_weather", "description": "Get the current weather in a given location",
             "parameters": {"type": "object", "properties": {
               "location": {"type": "string", "description": "The city and state, e.g. San Francisco, CA"},
               "unit": {"type": "string", "description": "The unit of temperature to return", "enum": ["celsius", "fahrenheit"]}},
             "required": ["location"]}}
            """;
        byte[] body = Utf8($$"""{"model": "gpt-4o", "input": {{WeatherMessages}}, "tools": [{{tool}}]}""");

        Assert.Equal(101, _estimator.Estimate(LlmProvider.OpenAI, null, body).Cost.InputTokens);
    }

    [Theory]
    [InlineData("\"hello world\"", 2)]
    [InlineData("[\"hello world\", \"tiktoken is great!\"]", 8)]
    [InlineData("[[1, 2, 3], [4, 5]]", 5)]
    [InlineData("[1, 2, 3]", 3)]
    public void Estimate_EmbeddingsInput_CountsTokensAndReservesNoOutput(string input, long expected)
    {
        byte[] body = Utf8($$"""{"model": "text-embedding-3-small", "input": {{input}}}""");

        TokenEstimate estimate = _estimator.Estimate(LlmProvider.OpenAI, null, body);

        Assert.Equal(TokenEstimateMethod.Exact, estimate.Method);
        Assert.Equal(expected, estimate.Cost.InputTokens);
        Assert.Equal(0, estimate.Cost.OutputTokens);
    }

    [Fact]
    public void Estimate_EmbeddingOptionWithUnknownModel_IsStillAnEmbedding()
    {
        byte[] body = Utf8("""{"model": "my-embedder", "input": "hello world", "encoding_format": "float"}""");

        Assert.Equal(0, _estimator.Estimate(LlmProvider.Generic, null, body).Cost.OutputTokens);
    }

    [Fact]
    public void Estimate_LegacyCompletionsPrompt_CountsPromptAndReservesBestOfTimesMaxTokens()
    {
        byte[] body = Utf8("""{"model": "gpt-3.5-turbo-instruct", "prompt": "hello world", "max_tokens": 5, "n": 2, "best_of": 3}""");

        TokenEstimate estimate = _estimator.Estimate(LlmProvider.OpenAI, null, body);

        Assert.Equal(2, estimate.Cost.InputTokens);
        Assert.Equal(15, estimate.Cost.OutputTokens);
    }

    [Fact]
    public void Estimate_ModelArgument_TakesPrecedenceOverTheBody()
    {
        // cl100k by argument (129) although the body names an o200k model (124).
        TokenEstimate estimate = _estimator.Estimate(LlmProvider.OpenAI, "gpt-4", JargonChatBody("gpt-4o"));

        Assert.Equal(129, estimate.Cost.InputTokens);
        Assert.Equal("gpt-4", estimate.Model);
    }

    [Fact]
    public void Estimate_OpenAIEnglishPrompt_ChargesTheMinutesTokensByCharactersOverFour()
    {
        // OpenAI's rate limiter counts "the estimated number of tokens based on the character count of your request";
        // o200k counts English prose at more than 4 characters a token, so the tokenizer alone charges too little.
        string prompt = string.Concat(Enumerable.Repeat("The committee reviewed the quarterly figures and approved the revised budget. ", 40));
        byte[] body = System.Text.Encoding.UTF8.GetBytes($$"""{"model":"gpt-4o","max_tokens":50,"messages":[{"role":"user","content":"{{prompt}}"}]}""");

        TokenEstimate estimate = _estimator.Estimate(LlmProvider.OpenAI, null, body);

        long characterCount = (prompt.Length + 2 + "\"user\"".Length + 3) / 4; // the content and the role, quotes included
        Assert.True(estimate.Cost.InputTokens < characterCount, $"o200k counts {estimate.Cost.InputTokens}, characters / 4 make {characterCount}");
        Assert.True(estimate.Cost.TokensPerMinuteCharge >= characterCount);
        Assert.True(estimate.Cost.TokensPerMinuteCharge <= characterCount + 6 + 1, "the framing (3 per message, 3 to prime the reply) and rounding only");
    }

    [Fact]
    public void Settle_OpenAIUsageBelowTheCharacterCount_KeepsTheCharacterCount()
    {
        // Usage reports the tokenizer's count; the rate limiter charged the characters' count, and keeps it.
        string prompt = string.Concat(Enumerable.Repeat("Plain English text for the limiter to count. ", 50));
        byte[] body = System.Text.Encoding.UTF8.GetBytes($$"""{"model":"gpt-4o","max_tokens":10,"messages":[{"role":"user","content":"{{prompt}}"}]}""");
        TokenEstimate estimate = _estimator.Estimate(LlmProvider.OpenAI, null, body);
        long admitted = estimate.Cost.TokensPerMinuteCharge;

        Assert.Equal(admitted, estimate.Cost.TokensPerMinuteSettled(new FastBucket.Quotas.TokenUsage(estimate.Cost.InputTokens, 5)));
        Assert.Equal(admitted + 100, estimate.Cost.TokensPerMinuteSettled(new FastBucket.Quotas.TokenUsage(admitted + 100, 5)));
    }

    [Fact]
    public void Estimate_AnthropicPrompt_CountsNoCharacters()
    {
        // Only OpenAI documents a count by characters; elsewhere the charge is the tokens as estimated.
        string prompt = string.Concat(Enumerable.Repeat("Plain English text. ", 50));
        TokenEstimate estimate = _estimator.Estimate(LlmProvider.Anthropic, "claude-sonnet-4-5", System.Text.Encoding.UTF8.GetBytes($$"""{"max_tokens":10,"messages":[{"role":"user","content":"{{prompt}}"}]}"""));
        Assert.Equal(0, estimate.Cost.CharacterCountTokens);
        Assert.Equal(estimate.Cost.TotalTokens, estimate.Cost.TokensPerMinuteCharge);
    }
}
