using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace FastBucket.Benchmarks.Suites.Handler;

/// <summary>
/// A minimal HTTP/1.1 server on 127.0.0.1 that answers every request with one fixed chat completion (usage and
/// OpenAI rate-limit headers included), keeping connections alive. Raw sockets, so that the benchmark needs no web
/// framework and the server's own cost is the same for both clients it compares.
/// </summary>
internal sealed class LoopbackChatServer : IDisposable
{
    private readonly TcpListener _listener;
    private readonly byte[] _response;
    private readonly CancellationTokenSource _stop = new();

    public LoopbackChatServer(ReadOnlySpan<byte> headers, ReadOnlySpan<byte> body)
    {
        var response = new StringBuilder("HTTP/1.1 200 OK\r\n")
            .Append(Encoding.ASCII.GetString(headers))
            .Append(CultureInfo.InvariantCulture, $"Content-Length: {body.Length}\r\n\r\n");
        _response = [.. Encoding.ASCII.GetBytes(response.ToString()), .. body];
        _listener = new TcpListener(IPAddress.Loopback, 0);
        _listener.Start();
        BaseAddress = new Uri($"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}/v1/");
        _ = AcceptAsync();
    }

    public Uri BaseAddress { get; }

    private async Task AcceptAsync()
    {
        try
        {
            while (!_stop.IsCancellationRequested)
            {
                Socket socket = await _listener.AcceptSocketAsync(_stop.Token).ConfigureAwait(false);
                socket.NoDelay = true;
                _ = ServeAsync(socket);
            }
        }
        catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException)
        {
            // Stopped.
        }
    }

    private async Task ServeAsync(Socket socket)
    {
        using (socket)
        {
            var buffer = new byte[1 << 20];
            int held = 0;
            try
            {
                while (true)
                {
                    int read = await socket.ReceiveAsync(buffer.AsMemory(held), SocketFlags.None, _stop.Token).ConfigureAwait(false);
                    if (read == 0)
                    {
                        return;
                    }

                    held += read;
                    while (TryTakeRequest(buffer.AsSpan(0, held), out int length))
                    {
                        await socket.SendAsync(_response, SocketFlags.None, _stop.Token).ConfigureAwait(false);
                        buffer.AsSpan(length, held - length).CopyTo(buffer);
                        held -= length;
                    }
                }
            }
            catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                // The client closed, or the server stopped.
            }
        }
    }

    /// <summary>Whether <paramref name="received"/> starts with a whole request (headers and Content-Length body).</summary>
    private static bool TryTakeRequest(ReadOnlySpan<byte> received, out int length)
    {
        length = 0;
        int end = received.IndexOf("\r\n\r\n"u8);
        if (end < 0)
        {
            return false;
        }

        int body = 0;
        ReadOnlySpan<byte> headers = received[..end];
        int at = IndexOfIgnoreCase(headers, "content-length:"u8);
        if (at >= 0)
        {
            ReadOnlySpan<byte> value = headers[(at + 15)..];
            int stop = value.IndexOf((byte)'\r');
            _ = int.TryParse(Encoding.ASCII.GetString(stop < 0 ? value : value[..stop]).Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out body);
        }

        length = end + 4 + body;
        return received.Length >= length;
    }

    private static int IndexOfIgnoreCase(ReadOnlySpan<byte> text, ReadOnlySpan<byte> lowerCaseValue)
    {
        for (int i = 0; i + lowerCaseValue.Length <= text.Length; i++)
        {
            int j = 0;
            while (j < lowerCaseValue.Length && (text[i + j] | 0x20) == (lowerCaseValue[j] | 0x20))
            {
                j++;
            }

            if (j == lowerCaseValue.Length)
            {
                return i;
            }
        }

        return -1;
    }

    public void Dispose()
    {
        _stop.Cancel();
        _listener.Stop();
        _stop.Dispose();
    }
}
