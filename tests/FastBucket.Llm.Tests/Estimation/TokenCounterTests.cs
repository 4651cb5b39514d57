using System.Text.Json;
using FastBucket.Estimation;

namespace FastBucket.Llm.Tests.Estimation;

public sealed class TokenCounterTests
{
    // Token counts printed in the OpenAI cookbook "How to count tokens with tiktoken" (sections 3 and 5), and
    // "hello world" = ["hello", " world"] on both encodings.
    [Theory]
    [InlineData("o200k_base", "hello world", 2)]
    [InlineData("cl100k_base", "hello world", 2)]
    [InlineData("o200k_base", "tiktoken is great!", 6)]
    [InlineData("cl100k_base", "tiktoken is great!", 6)]
    [InlineData("o200k_base", "antidisestablishmentarianism", 6)]
    [InlineData("cl100k_base", "antidisestablishmentarianism", 6)]
    [InlineData("o200k_base", "2 + 2 = 4", 7)]
    [InlineData("cl100k_base", "2 + 2 = 4", 7)]
    [InlineData("o200k_base", "お誕生日おめでとう", 8)]
    [InlineData("cl100k_base", "お誕生日おめでとう", 9)]
    public void Count_CookbookStrings_MatchPublishedCounts(string encodingName, string text, int expected)
    {
        TokenCounter counter = TiktokenEncodings.Get(EncodingNamed(encodingName));

        Assert.Equal(expected, counter.Count(text));
    }

    [Theory]
    [InlineData("\"hello world\"", 2)]
    [InlineData("\"hello\\u0020world\"", 2)]
    [InlineData("\"2 + 2 = 4\"", 7)]
    [InlineData("null", 0)]
    public void CountValue_JsonString_CountsTheUnescapedText(string json, int expected)
    {
        using JsonDocument document = JsonDocument.Parse(json);

        Assert.Equal(expected, TiktokenEncodings.Get(TiktokenEncoding.O200kBase).CountValue(document.RootElement));
    }

    [Fact]
    public void CountValue_LongStringBeyondStackBuffer_CountsLikeTheString()
    {
        string text = string.Concat(Enumerable.Repeat("hello world ", 400));
        using JsonDocument document = JsonDocument.Parse(JsonSerializer.Serialize(text));
        TokenCounter counter = TiktokenEncodings.Get(TiktokenEncoding.O200kBase);

        Assert.Equal(counter.Count(text), counter.CountValue(document.RootElement));
    }

    [Fact]
    public void Get_SameEncodingTwice_ReturnsTheCachedCounter() =>
        Assert.Same(TiktokenEncodings.Get(TiktokenEncoding.Cl100kBase), TiktokenEncodings.Get(TiktokenEncoding.Cl100kBase));

    [Fact]
    public async Task Count_FromManyThreads_AgreesWithOneThread()
    {
        TokenCounter counter = TiktokenEncodings.Get(TiktokenEncoding.O200kBase);
        string[] texts = ["tiktoken is great!", "antidisestablishmentarianism", "2 + 2 = 4", "お誕生日おめでとう"];
        int[] expected = [6, 6, 7, 8];

        int[][] results = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Task.Run(() =>
            Enumerable.Range(0, 200).Select(i => counter.Count(texts[i % texts.Length]) - expected[i % texts.Length]).ToArray())));

        Assert.All(results.SelectMany(r => r), difference => Assert.Equal(0, difference));
    }

    private static TiktokenEncoding EncodingNamed(string name) =>
        name == "cl100k_base" ? TiktokenEncoding.Cl100kBase : TiktokenEncoding.O200kBase;
}
