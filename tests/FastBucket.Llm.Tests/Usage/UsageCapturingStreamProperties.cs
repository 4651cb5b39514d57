using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;

namespace FastBucket.Llm.Tests.Usage;

/// <summary>Laws of the capturing stream over every transcript, for any way the network cuts the body into chunks.</summary>
public sealed class UsageCapturingStreamProperties
{
    private static Gen<(UsageTranscript Transcript, bool Crlf)> Transcripts() =>
        from transcript in Gen.Elements(UsageTranscripts.All)
        from crlf in Gen.Elements(false, true)
        select (transcript, crlf);

    // Mostly small chunks (where boundaries fall inside events), sometimes large ones.
    private static Gen<int[]> Chunkings() =>
        Gen.NonEmptyListOf(Gen.Frequency((6, Gen.Choose(1, 8)), (3, Gen.Choose(9, 200)), (1, Gen.Choose(201, 5000))))
            .Select(sizes => sizes.ToArray());

    private static Gen<int> BufferSizes() => Gen.Elements(1, 2, 3, 17, 512, 16_384);

    [Property(MaxTest = 300)]
    public Property AnyChunking_PassThroughIsByteIdenticalAndUsageEqualsTheUnchunkedRead() =>
        Prop.ForAll(
            Arb.From(Transcripts()),
            Arb.From(Chunkings()),
            Arb.From(BufferSizes()),
            (pick, sizes, buffer) =>
            {
                byte[] body = pick.Transcript.Bytes(pick.Crlf);
                var whole = CapturedRead.ToEnd(new MemoryStream(body), pick.Transcript.Provider, body.Length + 1);
                var chunked = CapturedRead.ToEnd(ChunkedStream.OfSizes(body, sizes), pick.Transcript.Provider, buffer);

                return chunked.Passed.AsSpan().SequenceEqual(body)
                    && chunked.Usage == whole.Usage
                    && whole.Usage == pick.Transcript.Expected;
            });

    [Property(MaxTest = 300)]
    public Property AnyChunkingOfAnyPrefix_PassThroughIsByteIdenticalAndUsageEqualsTheUnchunkedPrefix() =>
        Prop.ForAll(
            Arb.From(Transcripts()),
            Arb.From(Chunkings()),
            Arb.From(Gen.Choose(0, 1000)),
            (pick, sizes, permille) =>
            {
                byte[] body = pick.Transcript.Bytes(pick.Crlf);
                byte[] prefix = body[..(int)((long)body.Length * permille / 1000)];
                var whole = CapturedRead.ToEnd(new MemoryStream(prefix), pick.Transcript.Provider, prefix.Length + 1);
                var chunked = CapturedRead.ToEnd(ChunkedStream.OfSizes(prefix, sizes), pick.Transcript.Provider, 64);

                return chunked.Passed.AsSpan().SequenceEqual(prefix) && chunked.Usage == whole.Usage;
            });

    [Property(MaxTest = 300)]
    public Property AnyBytesAnyChunking_PassThroughIsByteIdenticalAndCompletesOnceWithoutThrowing() =>
        Prop.ForAll(
            Arb.From(Gen.OneOf(ArbMap.Default.GeneratorFor<byte[]>().Where(b => b is not null), DamagedTranscripts())),
            Arb.From(Chunkings()),
            Arb.From(BufferSizes()),
            (body, sizes, buffer) =>
            {
                var read = CapturedRead.ToEnd(ChunkedStream.OfSizes(body, sizes), FastBucket.Providers.LlmProvider.Generic, buffer);

                return read.Passed.AsSpan().SequenceEqual(body) && read.Completions.Count == 1;
            });

    // Valid transcripts with a few bytes overwritten by structural characters: unbalanced brackets, stray quotes and escapes, broken lines.
    private static Gen<byte[]> DamagedTranscripts() =>
        from pick in Transcripts()
        from damage in Gen.ListOf(Gen.Zip(Gen.Choose(0, int.MaxValue), Gen.Elements("{}[]\\\"\r\n:,".Select(c => (byte)c).ToArray())).Select(p => (At: p.Item1, Value: p.Item2)))
        select Damage(pick.Transcript.Bytes(pick.Crlf), damage);

    private static byte[] Damage(byte[] body, IEnumerable<(int At, byte Value)> damage)
    {
        foreach (var (at, value) in damage)
        {
            body[at % body.Length] = value;
        }

        return body;
    }
}
