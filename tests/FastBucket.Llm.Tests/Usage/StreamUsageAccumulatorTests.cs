using FastBucket.Quotas;
using FastBucket.Usage;

namespace FastBucket.Llm.Tests.Usage;

public sealed class StreamUsageAccumulatorTests
{
    [Fact]
    public void Usage_NothingObserved_IsNull()
    {
        var accumulator = new StreamUsageAccumulator();

        Assert.Null(accumulator.Usage);
    }

    [Fact]
    public void Observe_AnthropicStartThenDeltas_InputFromStartLatestOutputFromDeltas()
    {
        var accumulator = new StreamUsageAccumulator();

        accumulator.Observe("""{"type":"message_start","message":{"usage":{"input_tokens":25,"cache_read_input_tokens":5,"output_tokens":1}}}"""u8);
        Assert.Equal(new TokenUsage(25, 1), accumulator.Usage); // cache reads are not charged to ITPM
        Assert.False(accumulator.IsFinal);
        accumulator.Observe("""{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Hi"}}"""u8);
        accumulator.Observe("""{"type":"message_delta","delta":{"stop_reason":null},"usage":{"output_tokens":9}}"""u8);
        accumulator.Observe("""{"type":"message_delta","delta":{"stop_reason":"end_turn"},"usage":{"output_tokens":15}}"""u8);
        accumulator.Observe("""{"type":"message_stop"}"""u8);

        Assert.Equal(new TokenUsage(25, 15), accumulator.Usage);
        Assert.True(accumulator.IsFinal);
    }

    [Fact]
    public void Observe_OutputBeforeInput_ReportsZeroInputUntilTheInputArrives()
    {
        var accumulator = new StreamUsageAccumulator();

        accumulator.Observe("""{"usage":{"output_tokens":4}}"""u8);
        Assert.Equal(new TokenUsage(0, 4), accumulator.Usage);
        accumulator.Observe("""{"message":{"usage":{"input_tokens":12}}}"""u8);

        Assert.Equal(new TokenUsage(12, 4), accumulator.Usage);
    }

    [Fact]
    public void Observe_CumulativeReports_LastOneWins()
    {
        var accumulator = new StreamUsageAccumulator();

        accumulator.Observe("""{"usageMetadata":{"promptTokenCount":8,"candidatesTokenCount":1}}"""u8);
        accumulator.Observe("""{"usageMetadata":{"promptTokenCount":8,"candidatesTokenCount":40}}"""u8);
        accumulator.Observe("""{"usageMetadata":{"promptTokenCount":8,"candidatesTokenCount":120}}"""u8);

        Assert.Equal(new TokenUsage(8, 120), accumulator.Usage);
    }

    [Fact]
    public void Observe_LaterEventsWithoutUsage_KeepTheUsageSeen()
    {
        var accumulator = new StreamUsageAccumulator();

        accumulator.Observe("""{"choices":[],"usage":{"prompt_tokens":19,"completion_tokens":10}}"""u8);
        accumulator.Observe("""{"choices":[],"usage":null}"""u8);
        accumulator.Observe("""{"choices":[]}"""u8);
        accumulator.Observe("not json"u8);
        accumulator.Observe("{\"usage\":{\"prompt_tokens\":1"u8);
        accumulator.Observe(default);

        Assert.Equal(new TokenUsage(19, 10), accumulator.Usage);
    }

    [Fact]
    public void Observe_Array_ReadsEachElementInOrder()
    {
        var accumulator = new StreamUsageAccumulator();

        accumulator.Observe("""[{"usageMetadata":{"promptTokenCount":3,"candidatesTokenCount":1}},{"candidates":[]},{"usageMetadata":{"promptTokenCount":3,"candidatesTokenCount":7}}]"""u8);

        Assert.Equal(new TokenUsage(3, 7), accumulator.Usage);
    }
}
