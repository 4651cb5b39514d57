namespace FastBucket.Llm.Tests;

public sealed class SmokeTests
{
    [Fact]
    public void Assembly_Loads_HasName() => Assert.Equal("FastBucket.Llm.Tests", typeof(SmokeTests).Assembly.GetName().Name);
}
