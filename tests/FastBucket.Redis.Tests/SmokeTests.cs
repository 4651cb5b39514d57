namespace FastBucket.Redis.Tests;

public sealed class SmokeTests
{
    [Fact]
    public void Assembly_Loads_HasName() => Assert.Equal("FastBucket.Redis.Tests", typeof(SmokeTests).Assembly.GetName().Name);
}
