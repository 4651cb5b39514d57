using System.Diagnostics;
using System.Text;
using FastBucket.Cli.Batch;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;

namespace FastBucket.Cli.Tests.Batch;

/// <summary>The batch input reader over mutated real lines and hostile files: every line is sent or reported, never thrown; memory bounded.</summary>
public sealed class BatchInputReaderFuzzTests
{
    private static readonly string[] s_lines =
    [
        BatchFiles.ChatLine("req-1"),
        """{"custom_id":"a","method":"POST","url":"/chat/completions","body":{"model":"dep","messages":[{"role":"user","content":"Hi"}]}}""",
        """{"model":"gpt-4o-mini","max_tokens":8,"messages":[{"role":"user","content":"bare \"body\" {x} [y]"}]}""",
        """{"custom_id":"g","method":"GET","url":"/v1/models","body":{}}""",
    ];

    [Property(MaxTest = 500)]
    public bool Parse_MutatedLine_IsValidOrReportedNeverThrown(int seed, PositiveInt index)
    {
        string line = Mutate(s_lines[index.Get % s_lines.Length], seed);

        BatchInputLine parsed = BatchInputReader.Parse(7, line, model: "m");

        return parsed.LineNumber == 7 && !string.IsNullOrEmpty(parsed.CustomId) && (parsed.IsValid ? parsed.Body is not null : parsed.Error!.Contains("line 7", StringComparison.Ordinal));
    }

    [Property(MaxTest = 100)]
    public bool ReadAsync_MutatedFile_OneResultPerNonBlankLine(int seed)
    {
        string file = Mutate(string.Join('\n', s_lines.Concat(s_lines)), seed);
        var lines = ReadAll(new StringReader(file));

        int expected = file.Split('\n').Count(l => !string.IsNullOrWhiteSpace(l.TrimEnd('\r')));
        return lines.Count == expected;
    }

    [Fact]
    public void ReadAsync_EndlessLine_ReportedWithoutBufferingIt()
    {
        // 64 Mi characters without a line end, then a good line: the first is reported as too long, the second read.
        var reader = new EndlessLineReader(64L << 20, "\n" + s_lines[0] + "\n");
        long before = GC.GetAllocatedBytesForCurrentThread();
        var clock = Stopwatch.StartNew();

        var lines = ReadAll(reader);

        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Equal(2, lines.Count);
        Assert.False(lines[0].IsValid);
        Assert.Contains("longer than", lines[0].Error, StringComparison.Ordinal);
        Assert.True(lines[1].IsValid, lines[1].Error);
        Assert.Equal(2, lines[1].LineNumber);

        // Bounded by the line limit (8 Mi chars, 16 MiB as UTF-16, doubled while the builder grows), not the 128 MiB line.
        Assert.True(allocated < 64L << 20, $"allocated {allocated} bytes");
        Assert.True(clock.Elapsed < TimeSpan.FromMinutes(2), "hang guard");
    }

    [Fact]
    public void ReadAsync_CrLfAndLastLineWithoutNewline_ReadAsLines()
    {
        var lines = ReadAll(new StringReader(s_lines[0] + "\r\n\r\n  \n" + s_lines[2]));

        Assert.Equal(2, lines.Count);
        Assert.All(lines, l => Assert.True(l.IsValid, l.Error));
        Assert.Equal([1L, 4L], lines.Select(l => l.LineNumber));
    }

    private static List<BatchInputLine> ReadAll(TextReader reader)
    {
        var lines = new List<BatchInputLine>();
        var enumerator = BatchInputReader.ReadAsync(reader, model: null, CancellationToken.None).GetAsyncEnumerator();
        while (enumerator.MoveNextAsync().AsTask().GetAwaiter().GetResult())
        {
            lines.Add(enumerator.Current);
        }

        return lines;
    }

    private static string Mutate(string text, int seed)
    {
        var random = new Random(seed);
        var bytes = new List<byte>(Encoding.UTF8.GetBytes(text));
        for (int i = 0, n = 1 + random.Next(6); i < n && bytes.Count > 0; i++)
        {
            int at = random.Next(bytes.Count);
            switch (random.Next(4))
            {
                case 0:
                    bytes[at] ^= (byte)(1 << random.Next(8));
                    break;
                case 1:
                    bytes.RemoveRange(at, Math.Min(1 + random.Next(8), bytes.Count - at));
                    break;
                case 2:
                    bytes.InsertRange(at, Encoding.UTF8.GetBytes(new[] { "{", "}", "\"", "\\", "[", "null", "\"custom_id\":", "\r", "\n", new string('[', 300) }[random.Next(10)]));
                    break;
                default:
                    bytes.RemoveRange(at, bytes.Count - at);
                    break;
            }
        }

        return Encoding.UTF8.GetString([.. bytes]);
    }

    /// <summary>A text of <paramref name="length"/> 'x' characters followed by <paramref name="tail"/>, produced on the fly.</summary>
    private sealed class EndlessLineReader(long length, string tail) : TextReader
    {
        private long _position;

        public override int Read(char[] buffer, int index, int count) => Read(buffer.AsSpan(index, count));

        public override int Read(Span<char> buffer)
        {
            int n = 0;
            while (n < buffer.Length && _position < length + tail.Length)
            {
                buffer[n++] = _position < length ? 'x' : tail[(int)(_position - length)];
                _position++;
            }

            return n;
        }

        public override ValueTask<int> ReadAsync(Memory<char> buffer, CancellationToken cancellationToken = default) => ValueTask.FromResult(Read(buffer.Span));
    }
}
