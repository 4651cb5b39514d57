using FastBucket.Catalog;

namespace FastBucket.Llm.Tests.Catalog;

public sealed class ModelNameTests
{
    [Theory]
    [InlineData("gpt-4o-mini-2024-07-18", "gpt-4o-mini-2024-07-18,gpt-4o-mini")]
    [InlineData("claude-sonnet-4-5-20250929", "claude-sonnet-4-5-20250929,claude-sonnet-4-5")]
    [InlineData("claude-3-5-haiku-latest", "claude-3-5-haiku-latest,claude-3-5-haiku")]
    [InlineData("ft:gpt-4o-mini-2024-07-18:org::x1", "ft:gpt-4o-mini-2024-07-18:org::x1,gpt-4o-mini-2024-07-18,gpt-4o-mini")]
    [InlineData("models/Gemini-2.5-Flash", "gemini-2.5-flash")]
    [InlineData("gpt-4o", "gpt-4o")]
    public void Candidates_Model_AreTheNameThenItsFamily(string model, string expected) =>
        Assert.Equal(expected.Split(','), ModelName.Candidates(model));

    [Theory]
    [InlineData("*", "anything", true)]
    [InlineData("*", "", true)]
    [InlineData("gpt-4o*", "gpt-4o", true)]
    [InlineData("gpt-4o*", "gpt-4o-mini", true)]
    [InlineData("gpt-4o*", "gpt-4", false)]
    [InlineData("*:free", "meta-llama/llama-3.3-70b-instruct:free", true)]
    [InlineData("*:free", "meta-llama/llama-3.3-70b-instruct", false)]
    [InlineData("claude-*-4*", "claude-sonnet-4-5", true)]
    [InlineData("a*b*c", "aXbYbZc", true)]
    [InlineData("a*b*c", "aXbYbZ", false)]
    [InlineData("exact", "exact", true)]
    [InlineData("exact", "exactly", false)]
    public void GlobMatches_Pattern_MatchesAnyRunForStar(string pattern, string text, bool expected) =>
        Assert.Equal(expected, ModelName.GlobMatches(pattern, text));

    [Fact]
    public void Match_ExactFamilyAndWildcard_RankInThatOrder()
    {
        IReadOnlyList<string> candidates = ModelName.Candidates("gpt-4o-mini-2024-07-18");

        Assert.Equal(ModelName.MatchKind.Exact, ModelName.Match("gpt-4o-mini-2024-07-18", candidates));
        Assert.Equal(ModelName.MatchKind.Family, ModelName.Match("gpt-4o-mini", candidates));
        Assert.Equal(ModelName.MatchKind.Wildcard, ModelName.Match("gpt-4o*", candidates));
        Assert.Equal(ModelName.MatchKind.None, ModelName.Match("gpt-4.1", candidates));
    }
}
