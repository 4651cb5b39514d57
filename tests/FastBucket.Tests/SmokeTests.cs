namespace FastBucket.Tests;

public sealed class SmokeTests
{
    [Fact]
    public void Assembly_Loads_HasName() => Assert.Equal("FastBucket.Tests", typeof(SmokeTests).Assembly.GetName().Name);
}
