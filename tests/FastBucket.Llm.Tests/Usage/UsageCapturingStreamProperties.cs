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
}
