using System.Text;
using FastBucket.Providers;
using FastBucket.Quotas;
using FastBucket.Usage;

namespace FastBucket.Llm.Tests.Usage;

public sealed class UsageCapturingStreamTests
{
    private static readonly int[] s_chunkSizes = [1, 2, 3, 5, 16, 100, 4096, int.MaxValue];
    private static readonly int[] s_bufferSizes = [1, 7, 16_384];

    public static TheoryData<string, bool> TranscriptsAndLineEndings()
    {
        var data = new TheoryData<string, bool>();
        foreach (var transcript in UsageTranscripts.All)
        {
            data.Add(transcript.Name, false);
            data.Add(transcript.Name, true);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(TranscriptsAndLineEndings))]
    public void Read_TranscriptInChunksOfEverySize_PassesBytesThroughAndCapturesUsage(string name, bool crlf)
    {
        var transcript = UsageTranscripts.Named(name);
        byte[] body = transcript.Bytes(crlf);
        var failures = new List<string>();
        foreach (int chunk in s_chunkSizes)
        {
            foreach (int buffer in s_bufferSizes)
            {
                var read = CapturedRead.ToEnd(ChunkedStream.OfSize(body, chunk), transcript.Provider, buffer);
                if (!read.Passed.AsSpan().SequenceEqual(body) || read.Usage != transcript.Expected)
                {
                    failures.Add($"chunk {chunk}, buffer {buffer}: usage {read.Usage}, {read.Passed.Length} of {body.Length} bytes");
                }
            }
        }

        Assert.Empty(failures);
    }

    [Theory]
    [MemberData(nameof(TranscriptsAndLineEndings))]
    public void Read_TwoChunksSplitAtEveryByte_PassesBytesThroughAndCapturesUsage(string name, bool crlf)
    {
        var transcript = UsageTranscripts.Named(name);
        byte[] body = transcript.Bytes(crlf);
        var failures = new List<int>();
        for (int split = 0; split <= body.Length; split++)
        {
            var read = CapturedRead.ToEnd(ChunkedStream.SplitAt(body, split), transcript.Provider, 16_384);
            if (!read.Passed.AsSpan().SequenceEqual(body) || read.Usage != transcript.Expected)
            {
                failures.Add(split);
            }
        }

        Assert.Empty(failures);
    }

    [Theory]
    [MemberData(nameof(TranscriptsAndLineEndings))]
    public async Task ReadAsync_TranscriptInSmallChunks_PassesBytesThroughAndCapturesUsage(string name, bool crlf)
    {
        var transcript = UsageTranscripts.Named(name);
        byte[] body = transcript.Bytes(crlf);

        var tiny = await CapturedRead.ToEndAsync(ChunkedStream.OfSize(body, 13), transcript.Provider, 1);
        var big = await CapturedRead.ToEndAsync(ChunkedStream.OfSize(body, 13), transcript.Provider, 81_920);

        Assert.Equal(body, tiny.Passed);
        Assert.Equal(transcript.Expected, tiny.Usage);
        Assert.Equal(body, big.Passed);
        Assert.Equal(transcript.Expected, big.Usage);
    }

    [Fact]
    public async Task CopyToAsync_ThroughStreamContent_PassesBodyAndCapturesUsage()
    {
        var transcript = UsageTranscripts.Anthropic;
        TokenUsage? captured = null;
        int completions = 0;
        var stream = new UsageCapturingStream(ChunkedStream.OfSize(transcript.Bytes(), 10), LlmProvider.Anthropic, usage =>
        {
            captured = usage;
            completions++;
        });

        using (var content = new StreamContent(stream))
        {
            string text = await content.ReadAsStringAsync();
            Assert.Equal(transcript.Text, text);
        }

        Assert.Equal(1, completions);
        Assert.Equal(transcript.Expected, captured);
    }

    [Theory]
    [InlineData("openai-chat")]
    [InlineData("openai-responses")]
    [InlineData("anthropic")]
    [InlineData("gemini-sse")]
    [InlineData("openrouter")]
    public void Read_CommentsAndKeepAlivesBetweenEvents_AreIgnored(string name)
    {
        var transcript = UsageTranscripts.Named(name);
        string text = ": keep-alive\n\n" + transcript.Text.Replace("\n\n", "\n\n:\n\n: ping - 2025-08-21 12:41:00.000000+00:00\n\nid: 7\nretry: 3000\n\n", StringComparison.Ordinal);
        byte[] body = Encoding.UTF8.GetBytes(text);

        foreach (int chunk in new[] { 1, 9, int.MaxValue })
        {
            var read = CapturedRead.ToEnd(ChunkedStream.OfSize(body, chunk), transcript.Provider, 4096);

            Assert.Equal(body, read.Passed);
            Assert.Equal(transcript.Expected, read.Usage);
        }
    }

    [Theory]
    [InlineData("data: [DONE]\n\n")]
    [InlineData("data:[DONE]\n\n")]
    [InlineData("data: [DONE]")]
    [InlineData("data: [DONE]\r\n\r\n")]
    [InlineData("")]
    public void Read_DoneTerminatorInAnyForm_EndsWithTheUsageSeen(string terminator)
    {
        string text = "data: {\"choices\":[],\"usage\":{\"prompt_tokens\":4,\"completion_tokens\":2}}\n\n" + terminator;
        byte[] body = Encoding.UTF8.GetBytes(text);

        var read = CapturedRead.ToEnd(ChunkedStream.OfSize(body, 3), LlmProvider.OpenAI, 64);

        Assert.Equal(body, read.Passed);
        Assert.Equal(new TokenUsage(4, 2), read.Usage);
    }

    [Fact]
    public void Read_LastEventWithoutTrailingNewline_StillCounts()
    {
        byte[] body = "data: {\"usage\":{\"prompt_tokens\":4,\"completion_tokens\":2}}"u8.ToArray();

        var read = CapturedRead.ToEnd(ChunkedStream.OfSize(body, 5), LlmProvider.OpenAI, 64);

        Assert.Equal(new TokenUsage(4, 2), read.Usage);
    }

    [Fact]
    public void Read_StreamWithoutUsage_CompletesOnceWithNull()
    {
        var transcript = UsageTranscripts.OpenAIChatWithoutUsage;
        byte[] body = transcript.Bytes();

        var read = CapturedRead.ToEnd(ChunkedStream.OfSize(body, 7), transcript.Provider, 32);

        Assert.Equal(body, read.Passed);
        Assert.Equal([null], read.Completions);
    }

    [Fact]
    public void Read_EmptyBody_CompletesOnceWithNull()
    {
        var read = CapturedRead.ToEnd(ChunkedStream.OfSize([], 1), LlmProvider.OpenAI, 32);

        Assert.Empty(read.Passed);
        Assert.Equal([null], read.Completions);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Read_OpenAIBodyCutAtEveryByte_UsageOnlyOnceItsEventIsWhole(bool crlf)
    {
        var transcript = UsageTranscripts.OpenAIChat;
        byte[] body = transcript.Bytes(crlf);
        int usageEnd = EndOfDataLine(body, "\"usage\":{\"prompt_tokens\"");
        var failures = new List<int>();
        for (int cut = 0; cut <= body.Length; cut++)
        {
            TokenUsage? expected = cut >= usageEnd ? transcript.Expected : null;
            var read = CapturedRead.ToEnd(ChunkedStream.OfSize(body[..cut], 11), transcript.Provider, 4096);
            if (!read.Passed.AsSpan().SequenceEqual(body.AsSpan(0, cut)) || read.Usage != expected)
            {
                failures.Add(cut);
            }
        }

        Assert.Empty(failures);
    }

    [Fact]
    public void Read_AnthropicBodyCutAtEveryByte_ReportsThePartsWhoseEventsAreWhole()
    {
        var transcript = UsageTranscripts.Anthropic;
        byte[] body = transcript.Bytes();
        int startEnd = EndOfDataLine(body, "\"type\":\"message_start\"");
        int deltaEnd = EndOfDataLine(body, "\"type\":\"message_delta\"");
        var failures = new List<int>();
        for (int cut = 0; cut <= body.Length; cut++)
        {
            TokenUsage? expected = cut < startEnd ? null : cut < deltaEnd ? new TokenUsage(125, 1) : new TokenUsage(125, 15);
            var read = CapturedRead.ToEnd(ChunkedStream.SplitAt(body[..cut], cut / 2), transcript.Provider, 4096);
            if (read.Usage != expected)
            {
                failures.Add(cut);
            }
        }

        Assert.Empty(failures);
    }

    [Fact]
    public void Read_GeminiArrayCutAtEveryByte_ReportsTheLastWholeElement()
    {
        var transcript = UsageTranscripts.GeminiJsonArray;
        byte[] body = transcript.Bytes();
        int firstEnd = body.AsSpan().IndexOf("\n}\n,"u8) + 2;
        var failures = new List<int>();
        for (int cut = 0; cut <= body.Length; cut++)
        {
            // The second element closes with the body's last "}" line.
            int secondEnd = body.AsSpan().LastIndexOf("\n}"u8) + 2;
            TokenUsage? expected = cut < firstEnd ? null : cut < secondEnd ? new TokenUsage(11, 4) : new TokenUsage(11, 42);
            var read = CapturedRead.ToEnd(ChunkedStream.SplitAt(body[..cut], cut / 3, 2 * cut / 3), transcript.Provider, 4096);
            if (!read.Passed.AsSpan().SequenceEqual(body.AsSpan(0, cut)) || read.Usage != expected)
            {
                failures.Add(cut);
            }
        }

        Assert.Empty(failures);
    }

    [Fact]
    public void Read_ConnectionResetMidEvent_SurfacesTheErrorAndDisposeReportsWhatWasSeen()
    {
        var transcript = UsageTranscripts.Anthropic;
        byte[] body = transcript.Bytes();
        int cut = EndOfDataLine(body, "\"type\":\"message_delta\"") - 10;
        var completions = new List<TokenUsage?>();
        var inner = ChunkedStream.OfSize(body[..cut], 64);
        inner.ThrowAtEnd = true;
        var output = new MemoryStream();

        using (var stream = new UsageCapturingStream(inner, LlmProvider.Anthropic, completions.Add))
        {
            var buffer = new byte[100];
            Assert.Throws<IOException>(() =>
            {
                int read;
                while ((read = stream.Read(buffer, 0, buffer.Length)) > 0)
                {
                    output.Write(buffer, 0, read);
                }
            });

            Assert.Empty(completions);
        }

        Assert.Equal(body[..cut], output.ToArray());
        Assert.Equal([new TokenUsage(125, 1)], completions);
    }

    [Fact]
    public void Read_MalformedEvents_AreSkippedAndTheStreamPassesThrough()
    {
        var transcript = UsageTranscripts.OpenAIChat;
        string malformed = string.Concat(
            "data: {\"choices\":[{\"delta\":{\"content\":\"trunc\n\n",
            "data: not json at all\n\n",
            "data: {\"usage\":{\"prompt_tokens\":\"x\",\"completion_tokens\":[1]}}\n\n",
            "data: {\"usage\":{\"prompt_tokens\":999,\"completion_tokens\":999}\n\n",
            "data: }{][\n\n",
            "data: \n\n",
            "data:\n\n",
            "data: \"\\ud800\"\n\n",
            "event: error\ndata: {\"error\n\n");
        int usageLine = transcript.Text.IndexOf("data: [DONE]", StringComparison.Ordinal);
        string text = malformed + transcript.Text[..usageLine] + malformed + transcript.Text[usageLine..] + malformed;
        byte[] body = [.. Encoding.UTF8.GetBytes(text), .. "data: {\""u8, 0xFF, 0xFE, .. "\":1}\n\n"u8];

        foreach (int chunk in new[] { 1, 4, 333, int.MaxValue })
        {
            var read = CapturedRead.ToEnd(ChunkedStream.OfSize(body, chunk), transcript.Provider, 1000);

            Assert.Equal(body, read.Passed);
            Assert.Equal(transcript.Expected, read.Usage);
        }
    }

    [Fact]
    public void Read_MalformedElementInJsonArray_IsSkipped()
    {
        byte[] body = """[{"usageMetadata":{"promptTokenCount":3,"candidatesTokenCount":1}},{"usageMetadata":{"promptTokenCount":x}},{"usageMetadata":{"promptTokenCount":3,"candidatesTokenCount":9}},{"oops":]}]"""u8.ToArray();

        var read = CapturedRead.ToEnd(ChunkedStream.OfSize(body, 2), LlmProvider.Gemini, 8);

        Assert.Equal(body, read.Passed);
        Assert.Equal(new TokenUsage(3, 9), read.Usage);
    }

    [Theory]
    [InlineData(1, 1)]
    [InlineData(1, 81_920)]
    [InlineData(4096, 1)]
    [InlineData(65_539, 16_384)]
    [InlineData(int.MaxValue, 81_920)]
    public void Read_EventsLargerThan64KiB_AreStillRead(int chunk, int buffer)
    {
        string big = string.Concat(Enumerable.Repeat("lorem \\\"ipsum\\\" {dolor} [sit] ", 4000));
        string text = string.Concat(
            "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"", big, "\"}}],\"usage\":null}\n\n",
            "data: {\"choices\":[],\"system_fingerprint\":\"", big, "\",\"usage\":{\"prompt_tokens\":70000,\"completion_tokens\":65000}}\n\n",
            "data: [DONE]\n\n");
        byte[] body = Encoding.UTF8.GetBytes(text);
        Assert.True(body.Length > 2 * 64 * 1024);

        var read = CapturedRead.ToEnd(ChunkedStream.OfSize(body, chunk), LlmProvider.OpenAI, buffer);

        Assert.Equal(body, read.Passed);
        Assert.Equal(new TokenUsage(70000, 65000), read.Usage);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(4096)]
    [InlineData(int.MaxValue)]
    public void Read_JsonArrayElementLargerThan64KiB_IsStillRead(int chunk)
    {
        string big = string.Concat(Enumerable.Repeat("} ] \\\" { [ ", 10_000));
        string text = $$$"""[{"candidates":[{"content":{"parts":[{"text":"{{{big}}}"}]}}],"usageMetadata":{"promptTokenCount":5,"candidatesTokenCount":70000}}]""";
        byte[] body = Encoding.UTF8.GetBytes(text);
        Assert.True(body.Length > 64 * 1024);

        var read = CapturedRead.ToEnd(ChunkedStream.OfSize(body, chunk), LlmProvider.Gemini, 8192);

        Assert.Equal(body, read.Passed);
        Assert.Equal(new TokenUsage(5, 70000), read.Usage);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Read_EventLargerThanTheLimit_IsSkippedAndLaterEventsStillCount(bool crlf)
    {
        string huge = new('x', UsageCapturingStream.MaxEventBytes + 10);
        string text = string.Concat(
            "data: {\"usage\":{\"prompt_tokens\":1,\"completion_tokens\":1}}\n\n",
            "data: {\"note\":\"", huge, "\",\"usage\":{\"prompt_tokens\":999,\"completion_tokens\":999}}\n\n",
            "data: {\"choices\":[],\"usage\":{\"prompt_tokens\":7,\"completion_tokens\":3}}\n\n",
            "data: [DONE]\n\n");
        byte[] body = Encoding.UTF8.GetBytes(crlf ? text.Replace("\n", "\r\n", StringComparison.Ordinal) : text);

        var read = CapturedRead.ToEnd(ChunkedStream.OfSize(body, 8000), LlmProvider.OpenAI, 16_384);

        Assert.Equal(body, read.Passed);
        Assert.Equal(new TokenUsage(7, 3), read.Usage);
    }

    [Fact]
    public void Read_JsonArrayElementLargerThanTheLimit_IsSkippedAndLaterElementsStillCount()
    {
        string huge = string.Concat(Enumerable.Repeat("{[\\\"", (UsageCapturingStream.MaxEventBytes / 4) + 10));
        string text = $$$"""
            [{"usageMetadata":{"promptTokenCount":1,"candidatesTokenCount":1}},
            {"candidates":[{"content":{"parts":[{"text":"{{{huge}}}"}]}}],"nested":{"a":[{"b":{}}]},"usageMetadata":{"promptTokenCount":999,"candidatesTokenCount":999}},
            {"usageMetadata":{"promptTokenCount":8,"candidatesTokenCount":4}}]
            """;
        byte[] body = Encoding.UTF8.GetBytes(text);

        var read = CapturedRead.ToEnd(ChunkedStream.OfSize(body, 8000), LlmProvider.Gemini, 16_384);

        Assert.Equal(body, read.Passed);
        Assert.Equal(new TokenUsage(8, 4), read.Usage);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(int.MaxValue)]
    public void Read_JsonArrayAfterLeadingWhitespace_IsStillReadAsAnArray(int chunk)
    {
        byte[] body = [.. " \r\n\t "u8, .. UsageTranscripts.GeminiJsonArray.Bytes()];

        var read = CapturedRead.ToEnd(ChunkedStream.OfSize(body, chunk), LlmProvider.Gemini, 64);

        Assert.Equal(body, read.Passed);
        Assert.Equal(new TokenUsage(11, 42), read.Usage);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(50)]
    [InlineData(int.MaxValue)]
    public void Read_PlainJsonBodyInsteadOfAStream_ReadsItsUsage(int chunk)
    {
        // A provider that ignores "stream": true answers with one JSON object.
        byte[] body = """
            {"id":"msg_1","type":"message","content":[{"type":"text","text":"} { \" ]"}],
             "usage":{"input_tokens":12,"cache_read_input_tokens":30,"output_tokens":6}}

            """u8.ToArray();

        var read = CapturedRead.ToEnd(ChunkedStream.OfSize(body, chunk), LlmProvider.Anthropic, 16);

        Assert.Equal(body, read.Passed);
        Assert.Equal(new TokenUsage(12, 6), read.Usage); // cache reads are not charged to ITPM
    }

    [Fact]
    public void Read_ZeroByteReadMidStream_DoesNotEndTheCapture()
    {
        var transcript = UsageTranscripts.OpenAIChat;
        byte[] body = transcript.Bytes();
        var completions = new List<TokenUsage?>();
        var output = new MemoryStream();
        using var stream = new UsageCapturingStream(ChunkedStream.OfSize(body, 100), transcript.Provider, completions.Add);
        var buffer = new byte[37];

        int read;
        while ((read = stream.Read(buffer, 0, buffer.Length)) > 0)
        {
            output.Write(buffer, 0, read);
            Assert.Equal(0, stream.Read(Span<byte>.Empty));
            Assert.Equal(0, stream.Read(buffer, 0, 0));
        }

        Assert.Equal(body, output.ToArray());
        Assert.Equal([transcript.Expected], completions);
    }

    [Fact]
    public async Task ReadAsync_ZeroByteReadMidStream_DoesNotEndTheCapture()
    {
        var transcript = UsageTranscripts.Anthropic;
        byte[] body = transcript.Bytes();
        var completions = new List<TokenUsage?>();
        var output = new MemoryStream();
        await using var stream = new UsageCapturingStream(ChunkedStream.OfSize(body, 100), transcript.Provider, completions.Add);
        var buffer = new byte[64];

        int read;
        while ((read = await stream.ReadAsync(buffer)) > 0)
        {
            output.Write(buffer, 0, read);
            Assert.Equal(0, await stream.ReadAsync(Memory<byte>.Empty));
        }

        Assert.Equal(body, output.ToArray());
        Assert.Equal([transcript.Expected], completions);
    }

    [Fact]
    public void ReadByte_WholeBody_PassesThroughAndCapturesUsage()
    {
        var transcript = UsageTranscripts.GeminiSse;
        byte[] body = transcript.Bytes(crlf: true);
        var completions = new List<TokenUsage?>();
        var output = new List<byte>();
        using (var stream = new UsageCapturingStream(new MemoryStream(body), transcript.Provider, completions.Add))
        {
            int b;
            while ((b = stream.ReadByte()) >= 0)
            {
                output.Add((byte)b);
            }
        }

        Assert.Equal(body, output);
        Assert.Equal([transcript.Expected], completions);
    }

    [Fact]
    public void Dispose_BeforeTheEnd_CompletesOnceWithTheUsageSeenSoFar()
    {
        var transcript = UsageTranscripts.Anthropic;
        byte[] body = transcript.Bytes();
        int afterStart = EndOfDataLine(body, "\"type\":\"message_start\"") + 1;
        var completions = new List<TokenUsage?>();
        var inner = ChunkedStream.SplitAt(body, afterStart);
        var stream = new UsageCapturingStream(inner, transcript.Provider, completions.Add);

        var buffer = new byte[body.Length];
        Assert.Equal(afterStart, stream.Read(buffer, 0, buffer.Length));
        Assert.Empty(completions);

        stream.Dispose();
        stream.Dispose();

        Assert.Equal([new TokenUsage(125, 1)], completions);
        Assert.Equal(1, inner.DisposeCount);
    }

    [Fact]
    public async Task DisposeAsync_BeforeAnyRead_CompletesOnceWithNull()
    {
        var completions = new List<TokenUsage?>();
        var inner = ChunkedStream.OfSize(UsageTranscripts.OpenAIChat.Bytes(), 10);
        var stream = new UsageCapturingStream(inner, LlmProvider.OpenAI, completions.Add);

        await stream.DisposeAsync();
        await stream.DisposeAsync();
        stream.Dispose();

        Assert.Equal([null], completions);
        Assert.True(inner.DisposeCount >= 1);
    }

    [Fact]
    public void Dispose_AfterTheEnd_DoesNotCompleteAgain()
    {
        var transcript = UsageTranscripts.GeminiSse;
        var completions = new List<TokenUsage?>();
        var stream = new UsageCapturingStream(new MemoryStream(transcript.Bytes()), transcript.Provider, completions.Add);

        stream.CopyTo(Stream.Null);
        Assert.Equal(0, stream.Read(new byte[10], 0, 10));
        stream.Dispose();

        Assert.Equal([transcript.Expected], completions);
    }

    [Fact]
    public async Task Dispose_WhileAnotherThreadReads_CompletesExactlyOnce()
    {
        // Concurrency stress on the real clock: HttpClient may dispose a response on one thread while another reads it.
        var transcript = UsageTranscripts.OpenAIChat;
        byte[] body = transcript.Bytes();
        for (int i = 0; i < 200; i++)
        {
            int completions = 0;
            TokenUsage? seen = null;
            var stream = new UsageCapturingStream(ChunkedStream.OfSize(body, 3), transcript.Provider, usage =>
            {
                seen = usage;
                Interlocked.Increment(ref completions);
            });
            int spin = i * 40;
            var reader = Task.Run(() =>
            {
                var buffer = new byte[5];
                while (stream.Read(buffer, 0, buffer.Length) > 0)
                {
                }
            });
            var disposer = Task.Run(() =>
            {
                Thread.SpinWait(spin);
                stream.Dispose();
            });

            await Task.WhenAll(reader, disposer);

            Assert.Equal(1, Volatile.Read(ref completions));
            Assert.True(seen is null || seen == transcript.Expected, $"iteration {i}: {seen}");
        }
    }

    [Fact]
    public void Usage_WhileReading_ReportsWhatWasSeenSoFar()
    {
        var transcript = UsageTranscripts.Anthropic;
        byte[] body = transcript.Bytes();
        int afterStart = EndOfDataLine(body, "\"type\":\"message_start\"") + 1;
        using var stream = new UsageCapturingStream(ChunkedStream.SplitAt(body, afterStart), transcript.Provider, _ => { });

        Assert.Null(stream.Usage);
        stream.ReadExactly(new byte[afterStart]);
        Assert.Equal(new TokenUsage(125, 1), stream.Usage);
        stream.CopyTo(Stream.Null);
        Assert.Equal(transcript.Expected, stream.Usage);
    }

    [Fact]
    public void Constructor_NullArguments_ThrowNamingTheParameter()
    {
        Assert.Equal("inner", Assert.Throws<ArgumentNullException>(() => new UsageCapturingStream(null!, LlmProvider.OpenAI, _ => { })).ParamName);
        Assert.Equal("onCompleted", Assert.Throws<ArgumentNullException>(() => new UsageCapturingStream(Stream.Null, LlmProvider.OpenAI, (Action<TokenUsage?>)null!)).ParamName);
        Assert.Equal("onCompleted", Assert.Throws<ArgumentNullException>(() => new UsageCapturingStream(Stream.Null, LlmProvider.OpenAI, (Action<TokenUsage?, bool>)null!)).ParamName);
    }

    [Fact]
    public void Stream_IsReadOnlyAndNotSeekable()
    {
        using var stream = new UsageCapturingStream(Stream.Null, LlmProvider.Gemini, _ => { });

        Assert.True(stream.CanRead);
        Assert.False(stream.CanSeek);
        Assert.False(stream.CanWrite);
        Assert.Equal(LlmProvider.Gemini, stream.Provider);
        Assert.Throws<NotSupportedException>(() => stream.Length);
        Assert.Throws<NotSupportedException>(() => stream.Position);
        Assert.Throws<NotSupportedException>(() => stream.Seek(0, SeekOrigin.Begin));
        Assert.Throws<NotSupportedException>(() => stream.Write([1], 0, 1));
    }

    /// <summary>The index just past the JSON of the <c>data:</c> line that contains <paramref name="marker"/> (its <c>\r</c> or <c>\n</c>).</summary>
    private static int EndOfDataLine(byte[] body, string marker)
    {
        int at = body.AsSpan().IndexOf(Encoding.UTF8.GetBytes(marker));
        Assert.True(at >= 0, marker);
        int end = at + body.AsSpan(at).IndexOfAny((byte)'\r', (byte)'\n');
        return end;
    }

    [Theory]
    [MemberData(nameof(TranscriptsAndLineEndings))]
    public void Read_TranscriptToItsEnd_ReportsTheUsageAsFinal(string name, bool crlf)
    {
        var transcript = UsageTranscripts.Named(name);
        byte[] body = transcript.Bytes(crlf);

        var (usage, final) = ReadPrefixThenDispose(body, body.Length, transcript.Provider, readToEnd: true);

        Assert.Equal(transcript.Expected, usage);
        Assert.True(final);
    }

    [Theory]
    [InlineData("anthropic", "content_block_delta")]
    [InlineData("gemini-sse", "\"candidatesTokenCount\": 5")]
    public void Dispose_StreamAbandonedBeforeItsFinalCount_ReportsRunningCountsAsNotFinal(string name, string marker)
    {
        var transcript = UsageTranscripts.Named(name);
        byte[] body = transcript.Bytes();
        int cut = LineEndAfter(body, marker) + 1;

        var (usage, final) = ReadPrefixThenDispose(body, cut, transcript.Provider, readToEnd: false);

        Assert.NotNull(usage);
        Assert.False(final, $"{usage} was reported as final after {cut} of {body.Length} bytes");
    }

    [Theory]
    [InlineData("openai-chat", "\"prompt_tokens\":19")]
    [InlineData("anthropic", "\"stop_reason\":\"end_turn\"")]
    public void Dispose_AfterTheFinalCountBeforeTheEndMarker_ReportsFinal(string name, string marker)
    {
        // SDKs stop reading once they have the last event they need; the count they read past is still final.
        var transcript = UsageTranscripts.Named(name);
        byte[] body = transcript.Bytes();
        int cut = LineEndAfter(body, marker) + 1;

        var (usage, final) = ReadPrefixThenDispose(body, cut, transcript.Provider, readToEnd: false);

        Assert.Equal(transcript.Expected, usage);
        Assert.True(final);
    }

    private static (TokenUsage? Usage, bool Final) ReadPrefixThenDispose(byte[] body, int length, LlmProvider provider, bool readToEnd)
    {
        var completions = new List<(TokenUsage?, bool)>();
        using (var stream = new UsageCapturingStream(new MemoryStream(body), provider, (usage, final) => completions.Add((usage, final))))
        {
            var buffer = new byte[7];
            int total = 0;
            while (readToEnd || total < length)
            {
                int read = stream.Read(buffer, 0, readToEnd ? buffer.Length : Math.Min(buffer.Length, length - total));
                if (read == 0)
                {
                    break;
                }

                total += read;
            }
        }

        return Assert.Single(completions);
    }

    private static int LineEndAfter(byte[] body, string marker)
    {
        int at = body.AsSpan().IndexOf(Encoding.UTF8.GetBytes(marker));
        Assert.True(at >= 0, marker);
        return at + body.AsSpan(at).IndexOf((byte)'\n');
    }
}
