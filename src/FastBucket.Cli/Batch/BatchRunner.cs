using System.Net;
using System.Text;
using System.Threading.Channels;
using FastBucket.Http;
using FastBucket.Quotas;
using FastBucket.Usage;

namespace FastBucket.Cli.Batch;

/// <summary>
/// Sends a stream of batch lines through one <see cref="FastBucketHandler"/>: the quotas pace them, the handler
/// retries what is worth retrying, and every line ends as exactly one result line in the output file.
/// </summary>
/// <remarks>
/// Reading is streamed through a bounded channel, so memory is bounded by the number of workers (plus the ordered
/// window), not by the input's size. Stopping (<c>stopAdmitting</c>) ends reading and lets the requests already taken
/// finish; aborting cancels them too (they are written as failures and sent again by the next run).
/// </remarks>
internal sealed class BatchRunner : IAsyncDisposable
{
    private readonly BatchRunOptions _options;
    private readonly FastBucketHandler _handler;
    private readonly HttpClient _client;
    private readonly long _started;

    public BatchRunner(BatchRunOptions options)
    {
        _options = options;
        var sockets = new SocketsHttpHandler
        {
            MaxConnectionsPerServer = int.MaxValue,
            ConnectTimeout = TimeSpan.FromSeconds(30),
            AutomaticDecompression = DecompressionMethods.All,
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),
        };
        _handler = new FastBucketHandler(
            new FastBucketHandlerOptions
            {
                Quotas = new QuotaRegistry(options.Quotas),
                Provider = options.Endpoint.Provider,
                MaxRetryAttempts = options.MaxAttempts - 1,
                TimeProvider = options.TimeProvider,
                OnReserved = (_, wait) => Statistics.Waits.Record(wait),
            },
            sockets);
        _client = new HttpClient(_handler) { Timeout = options.RequestTimeout };
        _started = options.TimeProvider.GetTimestamp();
    }

    public BatchStatistics Statistics { get; } = new();

    public QuotaRegistry Quotas => _handler.Quotas;

    /// <summary>Responses the provider answered 429 (the goal is none).</summary>
    public long RateLimited => _handler.RateLimitedResponses;

    public long Retries => _handler.Retries;

    public TimeSpan Elapsed => _options.TimeProvider.GetElapsedTime(_started);

    /// <summary>Notes found while preparing the output (a repaired crash, results kept from earlier runs).</summary>
    public BatchOutputRepair? Repair { get; private set; }

    public async Task<BatchSummary> RunAsync(IAsyncEnumerable<BatchInputLine> lines, CancellationToken stopAdmitting, CancellationToken abort)
    {
        Repair = await BatchOutputFile.PrepareAsync(_options.OutputPath, abort).ConfigureAwait(false);
        var stream = new FileStream(_options.OutputPath, FileMode.Append, FileAccess.Write, FileShare.Read, 1 << 16);
        var writer = new BatchOutputWriter(stream, _options.Ordered, _options.OrderedWindow);
        await using (writer.ConfigureAwait(false))
        {
            var channel = Channel.CreateBounded<(long Sequence, BatchInputLine Line)>(new BoundedChannelOptions(_options.Workers)
            {
                SingleWriter = true,
                FullMode = BoundedChannelFullMode.Wait,
            });
            var workers = new Task[_options.Workers];
            for (int i = 0; i < workers.Length; i++)
            {
                workers[i] = Task.Run(() => WorkAsync(channel.Reader, writer, stopAdmitting, abort), CancellationToken.None);
            }

            bool interrupted = false;
            var reading = ReadAsync(lines, channel.Writer, writer, Repair.Completed, stopAdmitting);
            try
            {
                // Not awaited past a stop: a read blocked on standard input does not see the token, and must not hold
                // the exit.
                await reading.WaitAsync(stopAdmitting).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stopAdmitting.IsCancellationRequested || abort.IsCancellationRequested)
            {
                interrupted = true;
                _ = reading.ContinueWith(static t => _ = t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
            }
            finally
            {
                channel.Writer.TryComplete();
            }

            await Task.WhenAll(workers).ConfigureAwait(false);
            return BatchSummary.From(this, _options, interrupted || abort.IsCancellationRequested);
        }
    }

    private async Task ReadAsync(
        IAsyncEnumerable<BatchInputLine> lines,
        ChannelWriter<(long, BatchInputLine)> channel,
        BatchOutputWriter writer,
        HashSet<string> completed,
        CancellationToken stopAdmitting)
    {
        var seen = new CustomIdSet();
        long sequence = 0;
        await foreach (var line in lines.WithCancellation(stopAdmitting).ConfigureAwait(false))
        {
            Statistics.LineRead();
            if (completed.Contains(line.CustomId))
            {
                Statistics.LineSkipped();
                continue;
            }

            if (!seen.Add(line.CustomId))
            {
                // A second line with one custom id would make the output ambiguous: report it, send the first only.
                await Console.Error.WriteLineAsync($"line {line.LineNumber}: custom_id '{line.CustomId}' was seen before, skipped").ConfigureAwait(false);
                Statistics.LineSkipped();
                continue;
            }

            await writer.WaitForWindowAsync(stopAdmitting).ConfigureAwait(false);
            if (!line.IsValid)
            {
                await Console.Error.WriteLineAsync(line.Error).ConfigureAwait(false);
                Statistics.LineInvalid();
                writer.Write(sequence++, BatchResult.Failed(line, "invalid_request_line", line.Error!));
                continue;
            }

            await channel.WriteAsync((sequence++, line), stopAdmitting).ConfigureAwait(false);
        }
    }

    private async Task WorkAsync(ChannelReader<(long Sequence, BatchInputLine Line)> channel, BatchOutputWriter writer, CancellationToken stopAdmitting, CancellationToken abort)
    {
        try
        {
            while (await channel.WaitToReadAsync(abort).ConfigureAwait(false))
            {
                // After a stop, lines still queued here are not sent: they have no result, and the next run sends them.
                while (!stopAdmitting.IsCancellationRequested && channel.TryRead(out var item))
                {
                    Statistics.Started();
                    var (result, usage) = await SendAsync(item.Line, stopAdmitting, abort).ConfigureAwait(false);
                    Statistics.Ended(result?.Succeeded ?? false, usage?.InputTokens ?? 0, usage?.OutputTokens ?? 0, sent: result is not null);
                    if (result is not null)
                    {
                        writer.Write(item.Sequence, result);
                    }
                }

                if (stopAdmitting.IsCancellationRequested)
                {
                    return;
                }
            }
        }
        catch (OperationCanceledException) when (abort.IsCancellationRequested)
        {
            // Aborted: lines still in the channel were never sent and have no result; the next run sends them.
        }
    }

    /// <summary>Sends one line; a <see langword="null"/> result means it was still waiting for quota when the run stopped (never sent).</summary>
    private async Task<(BatchResult? Result, TokenUsage? Usage)> SendAsync(BatchInputLine line, CancellationToken stopAdmitting, CancellationToken abort)
    {
        var endpoint = _options.Endpoint;
        using var request = new HttpRequestMessage(new HttpMethod(line.Method), ProviderEndpoint.Combine(_options.BaseUrl, endpoint.PathFor(line.Url, line.Model ?? _options.Model)));
        request.Options.Set(FastBucketHandler.QuotaWaitCancellation, stopAdmitting);
        if (line.Body is not null && line.Method != "GET")
        {
            request.Content = new StringContent(line.Body, Encoding.UTF8, "application/json");
        }

        endpoint.Authorize(request, _options.ApiKey);
        try
        {
            using var response = await _client.SendAsync(request, HttpCompletionOption.ResponseContentRead, abort).ConfigureAwait(false);
            var body = await response.Content.ReadAsByteArrayAsync(abort).ConfigureAwait(false);
            string? requestId = FirstHeader(response, "x-request-id") ?? FirstHeader(response, "request-id") ?? FirstHeader(response, "apim-request-id");
            var result = BatchResult.FromResponse(line, (int)response.StatusCode, requestId, body);
            var usage = result.Succeeded ? UsageReader.FromJson(endpoint.Provider, body) : null;
            return (result, usage);
        }
        catch (OperationCanceledException) when (abort.IsCancellationRequested)
        {
            return (BatchResult.Failed(line, "aborted", "The run was aborted before this request finished."), null);
        }
        catch (OperationCanceledException) when (stopAdmitting.IsCancellationRequested)
        {
            // Stopped while it waited for quota: it was not sent, so it gets no result and the next run sends it.
            return (null, null);
        }
        catch (OperationCanceledException)
        {
            return (BatchResult.Failed(line, "timeout", $"No answer within {_options.RequestTimeout.TotalSeconds:0} s."), null);
        }
        catch (QuotaExhaustedException ex)
        {
            return (BatchResult.Failed(line, "quota_exhausted", ex.Message), null);
        }
        catch (ArgumentOutOfRangeException ex)
        {
            // The request needs more than a limit allows at all: it can never be sent (reported, not waited on forever).
            return (BatchResult.Failed(line, "request_exceeds_limit", ex.Message), null);
        }
        catch (HttpRequestException ex)
        {
            return (BatchResult.Failed(line, "request_failed", ex.Message), null);
        }
    }

    private static string? FirstHeader(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values) ? values.FirstOrDefault() : null;

    public ValueTask DisposeAsync()
    {
        _client.Dispose();
        _handler.Quotas.Dispose(); // the handler was given the registry, so it leaves disposing it to us
        return ValueTask.CompletedTask;
    }
}
