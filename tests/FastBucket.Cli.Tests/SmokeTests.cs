namespace FastBucket.Cli.Tests;

public sealed class SmokeTests
{
    [Fact]
    public void Assembly_Loads_HasName() => Assert.Equal("FastBucket.Cli.Tests", typeof(SmokeTests).Assembly.GetName().Name);
}
