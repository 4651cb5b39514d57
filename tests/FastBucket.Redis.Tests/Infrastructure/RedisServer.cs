using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using StackExchange.Redis;

namespace FastBucket.Redis.Tests.Infrastructure;

/// <summary>A throwaway redis-server on a free loopback port, no persistence; it can be stopped and started again on the same port.</summary>
public sealed class RedisServer : IAsyncDisposable
{
    private Process? _process;

    private RedisServer(string executable, int port)
    {
        Executable = executable;
        Port = port;
    }

    /// <summary>Whether the tests must run: CI sets FASTBUCKET_REQUIRE_REDIS=1, and then a missing server is a failure.</summary>
    public static bool Required => Environment.GetEnvironmentVariable("FASTBUCKET_REQUIRE_REDIS") == "1";

    /// <summary>redis-server on PATH, or null.</summary>
    public static string? FindExecutable()
    {
        foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            var candidate = Path.Combine(dir, "redis-server");
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        return null;
    }

    public string Executable { get; }

    public int Port { get; }

    public string Configuration => $"127.0.0.1:{Port}";

    public static async Task<RedisServer> StartAsync()
    {
        var executable = FindExecutable() ?? throw new InvalidOperationException(
            "redis-server is not on PATH but FASTBUCKET_REQUIRE_REDIS=1 requires the Redis tests to run (apt-get install redis-server).");
        var server = new RedisServer(executable, FreePort());
        await server.StartAgainAsync();
        return server;
    }

    /// <summary>Starts the server (again) on the same port and waits until it answers PING.</summary>
    public async Task StartAgainAsync()
    {
        var info = new ProcessStartInfo(Executable)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in new[] { "--port", Port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--bind", "127.0.0.1", "--save", string.Empty, "--appendonly", "no", "--enable-debug-command", "yes" })
        {
            info.ArgumentList.Add(arg);
        }

        _process = Process.Start(info) ?? throw new InvalidOperationException("redis-server did not start.");
        _process.OutputDataReceived += static (_, _) => { };
        _process.ErrorDataReceived += static (_, _) => { };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(15);
        while (DateTime.UtcNow < deadline)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"redis-server exited with code {_process.ExitCode} on port {Port}.");
            }

            if (await PingAsync())
            {
                return;
            }

            await Task.Delay(20);
        }

        throw new TimeoutException($"redis-server did not answer PING on port {Port} within 15 s.");
    }

    /// <summary>Kills the server (an outage: the data is lost, as without persistence).</summary>
    public async Task StopAsync()
    {
        if (_process is { } process)
        {
            _process = null;
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
                await process.WaitForExitAsync();
            }

            process.Dispose();
        }
    }

    /// <summary>A connection that reconnects quickly, as the tests need after a restart.</summary>
    /// <param name="user">An ACL user to connect as (password <c>pw</c>), or <see langword="null"/> for the default user.</param>
    /// <param name="admin">Whether admin commands (CLIENT PAUSE, DEBUG SLEEP, ACL) are allowed.</param>
    /// <param name="timeoutMilliseconds">How long a command may take (blocking ones such as DEBUG SLEEP need more).</param>
    public async Task<ConnectionMultiplexer> ConnectAsync(string? user = null, bool admin = false, int timeoutMilliseconds = 2_000)
    {
        var options = new ConfigurationOptions
        {
            User = user,
            Password = user is null ? null : "pw",
            AllowAdmin = admin,
            AbortOnConnectFail = false,
            ConnectTimeout = 2_000,
            SyncTimeout = timeoutMilliseconds,
            AsyncTimeout = timeoutMilliseconds,
            ReconnectRetryPolicy = new LinearRetry(100),
        };
        options.EndPoints.Add(IPAddress.Loopback, Port);
        return await ConnectionMultiplexer.ConnectAsync(options);
    }

    /// <summary>Runs one command on a fresh admin connection (fire and forget for blocking ones: CLIENT PAUSE, DEBUG SLEEP).</summary>
    public async Task ExecuteAsync(string command, params object[] args)
    {
        await using var admin = await ConnectAsync(admin: true);
        await admin.GetDatabase().ExecuteAsync(command, args);
    }

    public async ValueTask DisposeAsync() => await StopAsync();

    private async Task<bool> PingAsync()
    {
        try
        {
            using var client = new TcpClient();
            await client.ConnectAsync(IPAddress.Loopback, Port);
            var stream = client.GetStream();
            await stream.WriteAsync("PING\r\n"u8.ToArray());
            var buffer = new byte[16];
            int read = await stream.ReadAsync(buffer);
            return Encoding.ASCII.GetString(buffer, 0, read).StartsWith("+PONG", StringComparison.Ordinal);
        }
        catch (SocketException)
        {
            return false;
        }
        catch (IOException)
        {
            return false;
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
