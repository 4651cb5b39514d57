using System.Text;
using FastBucket.Providers;
using FastBucket.Quotas;
using FastBucket.Usage;
using FsCheck.Xunit;

namespace FastBucket.Llm.Tests.Usage;

public sealed class UsageReaderTests
{
    private static TokenUsage? Read(LlmProvider provider, string json) => UsageReader.FromJson(provider, Encoding.UTF8.GetBytes(json));

    [Fact]
    public void FromJson_OpenAIChatCompletion_ReadsPromptAndCompletionTokens()
    {
        const string body = """
            {"id":"chatcmpl-123","object":"chat.completion","created":1741569952,"model":"gpt-4.1-2025-04-14",
             "choices":[{"index":0,"message":{"role":"assistant","content":"Hello! How can I assist you today?","refusal":null,"annotations":[]},"logprobs":null,"finish_reason":"stop"}],
             "usage":{"prompt_tokens":19,"completion_tokens":10,"total_tokens":29,"prompt_tokens_details":{"cached_tokens":0,"audio_tokens":0},
                      "completion_tokens_details":{"reasoning_tokens":0,"audio_tokens":0,"accepted_prediction_tokens":0,"rejected_prediction_tokens":0}},
             "service_tier":"default"}
            """;

        Assert.Equal(new TokenUsage(19, 10), Read(LlmProvider.OpenAI, body));
    }

    [Fact]
    public void FromJson_OpenAIReasoningModel_CompletionTokensAlreadyIncludeReasoning()
    {
        // completion_tokens counts the reasoning tokens; they must not be added a second time.
        const string body = """{"object":"chat.completion","usage":{"prompt_tokens":75,"completion_tokens":1186,"total_tokens":1261,"completion_tokens_details":{"reasoning_tokens":1024}}}""";

        Assert.Equal(new TokenUsage(75, 1186), Read(LlmProvider.OpenAI, body));
    }

    [Fact]
    public void FromJson_OpenAIResponsesApi_ReadsInputAndOutputTokens()
    {
        const string body = """
            {"id":"resp_67ccd3a9da748190baa7f1570fe91ac604becb25c45c1d41","object":"response","created_at":1741476777,"status":"completed",
             "model":"gpt-4o-2024-08-06","output":[{"type":"message","id":"msg_1","status":"completed","role":"assistant","content":[{"type":"output_text","text":"ok","annotations":[]}]}],
             "usage":{"input_tokens":328,"input_tokens_details":{"cached_tokens":128},"output_tokens":52,"output_tokens_details":{"reasoning_tokens":0},"total_tokens":380}}
            """;

        // cached_tokens is a part of input_tokens for OpenAI, not an addition to it.
        Assert.Equal(new TokenUsage(328, 52), Read(LlmProvider.OpenAI, body));
    }

    [Fact]
    public void FromJson_OpenAIEmbeddings_InputOnlyOutputZero()
    {
        const string body = """{"object":"list","data":[{"object":"embedding","index":0,"embedding":[0.0023,-0.0093]}],"model":"text-embedding-3-small","usage":{"prompt_tokens":8,"total_tokens":8}}""";

        Assert.Equal(new TokenUsage(8, 0), Read(LlmProvider.OpenAI, body));
    }

    [Fact]
    public void FromJson_TotalTokensWithoutCompletion_OutputIsTheDifference()
    {
        Assert.Equal(new TokenUsage(8, 4), Read(LlmProvider.Generic, """{"usage":{"prompt_tokens":8,"total_tokens":12}}"""));
    }

    [Fact]
    public void FromJson_AnthropicMessage_CacheWritesCountAsInputCacheReadsDoNot()
    {
        const string body = """
            {"id":"msg_013Zva2CMHLNnXjNJJKqJ2EF","type":"message","role":"assistant","model":"claude-sonnet-4-5-20250929",
             "content":[{"type":"text","text":"Hi! My name is Claude."}],"stop_reason":"end_turn","stop_sequence":null,
             "usage":{"input_tokens":2095,"cache_creation_input_tokens":2051,"cache_read_input_tokens":1000,"cache_creation":{"ephemeral_5m_input_tokens":2051,"ephemeral_1h_input_tokens":0},"output_tokens":503,"service_tier":"standard"}}
            """;

        // Anthropic's ITPM counts input_tokens and cache writes; cache reads do not count (issue 14, item 6).
        Assert.Equal(new TokenUsage(2095 + 2051, 503), Read(LlmProvider.Anthropic, body));
    }

    [Fact]
    public void FromJson_AnthropicWithoutCacheFields_ReadsInputAndOutput()
    {
        Assert.Equal(new TokenUsage(12, 6), Read(LlmProvider.Anthropic, """{"type":"message","usage":{"input_tokens":12,"output_tokens":6}}"""));
    }

    [Fact]
    public void FromJson_AnthropicNullCacheFields_ReadAsZero()
    {
        Assert.Equal(new TokenUsage(12, 6), Read(LlmProvider.Anthropic, """{"type":"message","usage":{"input_tokens":12,"cache_creation_input_tokens":null,"cache_read_input_tokens":null,"output_tokens":6}}"""));
    }

    [Fact]
    public void FromJson_GeminiUsageMetadata_ThoughtsCountAsOutput()
    {
        const string body = """
            {"candidates":[{"content":{"parts":[{"text":"AI learns patterns."}],"role":"model"},"finishReason":"STOP","index":0}],
             "usageMetadata":{"promptTokenCount":9,"candidatesTokenCount":12,"totalTokenCount":1034,"thoughtsTokenCount":1013,
                              "promptTokensDetails":[{"modality":"TEXT","tokenCount":9}]},
             "modelVersion":"gemini-2.5-flash","responseId":"7Fx0aKXxN5OfnvgP_LP4mQs"}
            """;

        Assert.Equal(new TokenUsage(9, 1025), Read(LlmProvider.Gemini, body));
    }

    [Fact]
    public void FromJson_GeminiPromptOnly_OutputZero()
    {
        // A response blocked on the prompt reports no candidates at all.
        Assert.Equal(new TokenUsage(7, 0), Read(LlmProvider.Gemini, """{"promptFeedback":{"blockReason":"SAFETY"},"usageMetadata":{"promptTokenCount":7,"totalTokenCount":7}}"""));
    }

    [Fact]
    public void FromJson_GeminiStreamArray_LastElementWins()
    {
        byte[] body = UsageTranscripts.GeminiJsonArray.Bytes();

        Assert.Equal(new TokenUsage(11, 42), UsageReader.FromJson(LlmProvider.Gemini, body));
    }

    [Fact]
    public void FromJson_OpenAIResponsesCompletedEvent_ReadsNestedResponseUsage()
    {
        const string body = """{"type":"response.completed","response":{"status":"completed","usage":{"input_tokens":37,"output_tokens":11,"total_tokens":48}}}""";

        Assert.Equal(new TokenUsage(37, 11), Read(LlmProvider.OpenAI, body));
    }

    [Fact]
    public void FromJson_AnthropicMessageStartEvent_ReadsNestedMessageUsage()
    {
        const string body = """{"type":"message_start","message":{"id":"msg_1","usage":{"input_tokens":25,"output_tokens":1}}}""";

        Assert.Equal(new TokenUsage(25, 1), Read(LlmProvider.Anthropic, body));
    }

    [Fact]
    public void FromJson_GroqStreamChunk_ReadsXGroqUsage()
    {
        // Groq reports a stream's usage in the last chunk's x_groq object.
        const string body = """{"id":"chatcmpl-1","object":"chat.completion.chunk","choices":[{"index":0,"delta":{},"finish_reason":"stop"}],"x_groq":{"id":"req_01jbd6g2qdfw2adyrt2az8hz4w","usage":{"queue_time":0.0181,"prompt_tokens":18,"prompt_time":0.00095,"completion_tokens":120,"completion_time":0.1,"total_tokens":138,"total_time":0.10095}}}""";

        Assert.Equal(new TokenUsage(18, 120), Read(LlmProvider.Groq, body));
    }

    [Theory]
    [InlineData("""{"id":"chatcmpl-1","object":"chat.completion","choices":[]}""")]
    [InlineData("""{"usage":null}""")]
    [InlineData("""{"usage":{}}""")]
    [InlineData("""{"usage":"29"}""")]
    [InlineData("""{"usage":{"prompt_tokens":"19","completion_tokens":"10"}}""")]
    [InlineData("""{"usage":{"prompt_tokens":-5,"completion_tokens":-1}}""")]
    [InlineData("""{"usage":{"prompt_tokens":1.5}}""")]
    [InlineData("""{"usage":{"prompt_tokens":1e30}}""")]
    [InlineData("""{"usageMetadata":{"totalTokenCount":5}}""")]
    [InlineData("""{"usageMetadata":null}""")]
    [InlineData("""{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}""")]
    [InlineData("""{"message":"not an object"}""")]
    [InlineData("""{"response":null}""")]
    [InlineData("[]")]
    [InlineData("[1,2,3]")]
    [InlineData("null")]
    [InlineData("42")]
    [InlineData("\"usage\"")]
    public void FromJson_NoUsage_ReturnsNull(string body)
    {
        Assert.Null(Read(LlmProvider.OpenAI, body));
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("{")]
    [InlineData("""{"usage":{"prompt_tokens":19,"completion_tokens":10""")]
    [InlineData("""{"usage":{"prompt_tokens":19,}}""")]
    [InlineData("<html><body>502 Bad Gateway</body></html>")]
    [InlineData("data: {\"usage\":{\"prompt_tokens\":1}}")]
    [InlineData("\u0000\u0001\u0002")]
    public void FromJson_MalformedJson_ReturnsNullWithoutThrowing(string body)
    {
        Assert.Null(Read(LlmProvider.OpenAI, body));
    }

    [Fact]
    public void FromJson_InvalidUtf8_ReturnsNullWithoutThrowing()
    {
        byte[] body = [.. "{\"usage\":{\"prompt_"u8, 0xFF, 0xFE, .. "tokens\":3}}"u8];

        var usage = UsageReader.FromJson(LlmProvider.OpenAI, body);

        Assert.Null(usage);
    }

    [Fact]
    public void FromJson_NestedDeeperThanTheLimit_ReturnsNullWithoutThrowing()
    {
        string body = new string('[', 5000) + new string(']', 5000);

        Assert.Null(Read(LlmProvider.Gemini, body));
    }

    [Fact]
    public void FromJson_LeadingByteOrderMark_StillReadsUsage()
    {
        byte[] body = [0xEF, 0xBB, 0xBF, .. """{"usage":{"prompt_tokens":3,"completion_tokens":4}}"""u8];

        Assert.Equal(new TokenUsage(3, 4), UsageReader.FromJson(LlmProvider.OpenAI, body));
    }

    [Theory]
    [InlineData(LlmProvider.Generic)]
    [InlineData(LlmProvider.OpenAI)]
    [InlineData(LlmProvider.Anthropic)]
    [InlineData(LlmProvider.Gemini)]
    [InlineData(LlmProvider.OpenRouter)]
    [InlineData(LlmProvider.AzureOpenAI)]
    [InlineData(LlmProvider.Groq)]
    public void FromJson_AnyProvider_ReadsEveryKnownShape(LlmProvider provider)
    {
        Assert.Equal(new TokenUsage(1, 2), Read(provider, """{"usage":{"prompt_tokens":1,"completion_tokens":2}}"""));
        Assert.Equal(new TokenUsage(3, 4), Read(provider, """{"usage":{"input_tokens":3,"output_tokens":4}}"""));
        Assert.Equal(new TokenUsage(5, 6), Read(provider, """{"usageMetadata":{"promptTokenCount":5,"candidatesTokenCount":6}}"""));
    }

    [Property(MaxTest = 500)]
    public bool FromJson_AnyBytes_NeverThrows(byte[] body)
    {
        UsageReader.FromJson(LlmProvider.Generic, body ?? []);
        return true;
    }

    [Property(MaxTest = 300)]
    public bool FromJson_OpenAIShapedCounts_ReadBackExactly(uint prompt, uint completion)
    {
        string body = $$$"""{"usage":{"prompt_tokens":{{{prompt}}},"completion_tokens":{{{completion}}},"total_tokens":{{{(long)prompt + completion}}}}}""";

        return Read(LlmProvider.OpenAI, body) == new TokenUsage(prompt, completion);
    }
}
