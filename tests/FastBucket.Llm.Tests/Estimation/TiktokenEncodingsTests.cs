using FastBucket.Estimation;

namespace FastBucket.Llm.Tests.Estimation;

public sealed class TiktokenEncodingsTests
{
    [Theory]
    [InlineData("gpt-4o")]
    [InlineData("gpt-4o-mini")]
    [InlineData("gpt-4o-mini-2024-07-18")]
    [InlineData("GPT-4o")]
    [InlineData("chatgpt-4o-latest")]
    [InlineData("gpt-4.1")]
    [InlineData("gpt-4.1-nano")]
    [InlineData("gpt-4.5-preview")]
    [InlineData("gpt-5")]
    [InlineData("gpt-5-mini")]
    [InlineData("o1")]
    [InlineData("o1-mini")]
    [InlineData("o3-mini")]
    [InlineData("o4-mini")]
    [InlineData("ft:gpt-4o-mini-2024-07-18:my-org::abc123")]
    [InlineData("openai/gpt-4o")]
    public void ForModel_O200kFamilies_AreO200k(string model) =>
        Assert.Equal(TiktokenEncoding.O200kBase, TiktokenEncodings.ForModel(model));

    [Theory]
    [InlineData("gpt-4")]
    [InlineData("gpt-4-0613")]
    [InlineData("gpt-4-turbo")]
    [InlineData("gpt-3.5-turbo")]
    [InlineData("gpt-35-turbo")]
    [InlineData("text-embedding-3-small")]
    [InlineData("text-embedding-ada-002")]
    public void ForModel_Cl100kFamilies_AreCl100k(string model) =>
        Assert.Equal(TiktokenEncoding.Cl100kBase, TiktokenEncodings.ForModel(model));

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("llama-3.3-70b-versatile")]
    [InlineData("claude-sonnet-4-5")]
    [InlineData("gemini-2.5-flash")]
    [InlineData("o100")]
    [InlineData("gpt-4oops")]
    public void ForModel_OtherModels_AreUnknown(string? model) => Assert.Null(TiktokenEncodings.ForModel(model));
}
