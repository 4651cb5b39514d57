namespace FastBucket.Redis.Tests.Infrastructure;

/// <summary>One redis-server shared by a test class; each test isolates itself with its own key prefix.</summary>
public sealed class RedisServerFixture : IAsyncLifetime
{
    private RedisServer? _server;

    public RedisServer Server => _server ?? throw new InvalidOperationException("The Redis server did not start.");

    public async Task InitializeAsync()
    {
        if (RedisServer.FindExecutable() is null && !RedisServer.Required)
        {
            return; // every test is skipped by [RedisFact]
        }

        _server = await RedisServer.StartAsync();
    }

    public async Task DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
    }
}
