using FastBucket.Estimation.Media;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;

namespace FastBucket.Llm.Tests.Estimation.Media;

public sealed class PdfPageCounterTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    [InlineData(40)]
    public void Count_PageObjectsAndPageTree_CountsThePages(int pages)
    {
        Assert.Equal(pages, PdfPageCounter.Count(MediaFiles.Pdf(pages)));
    }

    [Fact]
    public void Count_NoPageVisible_EstimatesFromTheSize()
    {
        byte[] opaque = new byte[120_000];

        Assert.Equal(3, PdfPageCounter.Count(opaque));
    }

    [Property(MaxTest = 40)]
    public bool CountBase64_AnyPaddingAcrossChunkBoundaries_CountsEachPageOnce(byte pages, ushort padding)
    {
        // Pages padded so that their "/Type/Page" falls anywhere, across the decoder's chunk boundaries too.
        int n = 1 + (pages % 30);
        byte[] pdf = MediaFiles.Pdf(n, padding % 20_000);
        return PdfPageCounter.CountBase64(System.Text.Encoding.ASCII.GetBytes(Convert.ToBase64String(pdf))) == n
            && PdfPageCounter.Count(pdf) == n;
    }
}
