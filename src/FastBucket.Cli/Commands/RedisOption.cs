using System.CommandLine;
using FastBucket.Quotas;
using FastBucket.Redis;
using StackExchange.Redis;

namespace FastBucket.Cli.Commands;

/// <summary><c>--redis CONFIGURATION</c>: shares the quotas with every process pointed at the same Redis.</summary>
internal static class RedisOption
{
    public static Option<string?> Create() => new("--redis")
    {
        Description = "Share the limits with other processes and machines through Redis (a StackExchange.Redis configuration string, e.g. localhost:6379).",
    };

    public static Option<int> CreateInstances()
    {
        var option = new Option<int>("--redis-instances")
        {
            Description = "How many processes share the limits through --redis: while Redis is unreachable each runs on 1/N of them.",
            DefaultValueFactory = _ => 1,
        };
        option.Validators.Add(r => { if (r.GetValueOrDefault<int>() is < 1 or > 10_000) r.AddError("--redis-instances must be from 1 to 10000."); });
        return option;
    }

    /// <summary>Connects and points the quotas at Redis; <see langword="null"/> when the option is absent.</summary>
    public static async Task<SharedQuotas?> ApplyAsync(ParseResult parse, Option<string?> option, Option<int> instances, QuotaRegistryOptions quotas)
    {
        if (parse.GetValue(option) is not { } configuration)
        {
            return null;
        }

        ConnectionMultiplexer connection;
        try
        {
            var options = ConfigurationOptions.Parse(configuration);
            options.AbortOnConnectFail = false;
            connection = await ConnectionMultiplexer.ConnectAsync(options).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is ArgumentException or RedisException)
        {
            // The configuration may embed a password: report the failure, never the string.
            await Console.Error.WriteLineAsync($"--redis: cannot use the configuration ({ex.GetType().Name}).").ConfigureAwait(false);
            return new SharedQuotas(null);
        }

        ApplyTo(quotas, connection, parse.GetValue(instances));
        return new SharedQuotas(connection);
    }

    private static void ApplyTo(QuotaRegistryOptions quotas, IConnectionMultiplexer connection, int instances) =>
        quotas.UseRedis(connection, o =>
        {
            o.FailurePolicy = RedisFailurePolicy.DegradeToLocal;
            o.ExpectedInstances = instances;
        });

    /// <summary>The connection behind shared quotas, closed when the command ends.</summary>
    public sealed class SharedQuotas(ConnectionMultiplexer? connection) : IDisposable
    {
        public bool Failed => connection is null;

        public void Dispose() => connection?.Dispose();
    }
}
