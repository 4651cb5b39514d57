namespace FastBucket.Simulator.Tests;

public sealed class SmokeTests
{
    [Fact]
    public void Assembly_Loads_HasName() => Assert.Equal("FastBucket.Simulator.Tests", typeof(SmokeTests).Assembly.GetName().Name);
}
