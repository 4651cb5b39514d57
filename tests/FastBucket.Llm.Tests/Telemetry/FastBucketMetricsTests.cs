using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Net.Http.Json;
using FastBucket.Http;
using FastBucket.Llm.Tests.Http;
using FastBucket.Providers;
using FastBucket.Quotas;
using FastBucket.Simulator;
using FastBucket.Simulator.Accounting;
using FastBucket.Simulator.Latency;
using FastBucket.Telemetry;
using Microsoft.Extensions.Time.Testing;

namespace FastBucket.Llm.Tests.Telemetry;

/// <summary>The FastBucket meter, read with a <see cref="MeterListener"/> as dotnet-counters or OpenTelemetry would.</summary>
public sealed class FastBucketMetricsTests
{
    [Fact]
    public async Task Meter_LimitsSetTooHigh_ReportsGrantsWaits429sRetriesAndLevels()
    {
        const string model = "gpt-metrics-test";
        var totals = new ConcurrentDictionary<string, double>();
        var levels = new ConcurrentDictionary<string, long>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == FastBucketMetrics.MeterName)
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) =>
        {
            if (!HasModel(tags, model))
            {
                return;
            }

            if (instrument.Name == "fastbucket.quota.available")
            {
                levels[Tag(tags, "dimension")] = value;
            }
            else
            {
                totals.AddOrUpdate(instrument.Name, value, (_, v) => v + value);
            }
        });
        listener.SetMeasurementEventCallback<double>((instrument, value, tags, _) =>
        {
            if (HasModel(tags, model))
            {
                totals.AddOrUpdate(instrument.Name + ".count", 1, (_, v) => v + 1);
            }
        });
        listener.Start();

        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        // Admitted responses take a second of the fake clock, so none returns (and teaches the quota the real limit)
        // while the clock stands still below; 429s answer at once.
        var options = new SimulatorOptions { Seed = 5, TimeProvider = time, Latency = new LatencyOptions { Kind = LatencyKind.Fixed, Fixed = TimeSpan.FromSeconds(1) } };
        options.RateLimits.SetAll(new RateLimits { RequestsPerMinute = 5 });
        await using var simulator = await ProviderSimulator.StartAsync(options);
        // We claim 100 RPM where the account allows 5: the provider's 429s must show in the meter.
        // Token buckets send the claimed burst at once (OpenAI's safe shape would spread it and learn the real limit first).
        using var quotas = new QuotaRegistry(new QuotaRegistryOptions
        {
            TimeProvider = time,
            Limits = new QuotaLimits { RequestsPerMinute = 100 },
            Windowing = _ => FastBucket.Quotas.Windows.QuotaWindowing.Continuous,
        });
        using var client = new HttpClient(new FastBucketHandler(new FastBucketHandlerOptions { Provider = LlmProvider.OpenAI, Quotas = quotas, TimeProvider = time }, new SocketsHttpHandler()))
        {
            BaseAddress = new Uri(simulator.GetProviderBaseAddress(SimulatedProvider.OpenAI) + "/"),

            // The waits are on the fake clock; HttpClient's 100 s of real time (which include them) ran out on a
            // loaded run. The test bounds the whole exchange itself, below.
            Timeout = Timeout.InfiniteTimeSpan,
        };
        client.DefaultRequestHeaders.Authorization = new("Bearer", "sk-test");
        // The first attempts reach the simulator while the fake clock stands still, so the sixth is refused however
        // slowly a loaded machine sends them; only then does the clock move, for the retries to be admitted.
        var sends = Task.WhenAll(Enumerable.Range(0, 8).Select(i => client.PostAsJsonAsync("chat/completions", new
        {
            model,
            max_tokens = 5,
            messages = new[] { new { role = "user", content = $"hello {i}" } },
        })));
        var patience = Stopwatch.StartNew();
        while (simulator.Statistics.RateLimited == 0 && !sends.IsCompleted && patience.Elapsed < TimeSpan.FromMinutes(2))
        {
            await Task.Delay(5);
        }

        Assert.True(simulator.Statistics.RateLimited > 0, $"no 429 among the {simulator.Statistics.Requests} first attempts that arrived in 2 minutes");
        await using (new FakeClockPump(time, TimeSpan.FromMilliseconds(200)))
        {
            var responses = await sends.WaitAsync(TimeSpan.FromMinutes(10));
            Assert.All(responses, r => Assert.True(r.IsSuccessStatusCode));
        }

        listener.RecordObservableInstruments();

        Assert.True(simulator.Statistics.RateLimited > 0, "the setup produced no 429: the test would prove nothing");
        Assert.Equal(simulator.Statistics.RateLimited, (long)totals.GetValueOrDefault("fastbucket.http.rate_limited"));
        Assert.Equal(simulator.Statistics.Requests, (long)totals.GetValueOrDefault("fastbucket.quota.grants"));
        Assert.Equal(totals.GetValueOrDefault("fastbucket.quota.grants"), totals.GetValueOrDefault("fastbucket.quota.wait.count"));
        Assert.True(totals.GetValueOrDefault("fastbucket.http.retries") >= simulator.Statistics.RateLimited);
        Assert.True(levels.ContainsKey(nameof(QuotaDimension.RequestsPerMinute)), "no level observed for the limited dimension");
    }

    private static bool HasModel(ReadOnlySpan<KeyValuePair<string, object?>> tags, string model) => Tag(tags, "model") == model;

    private static string Tag(ReadOnlySpan<KeyValuePair<string, object?>> tags, string name)
    {
        foreach (var tag in tags)
        {
            if (tag.Key == name)
            {
                return tag.Value?.ToString() ?? "";
            }
        }

        return "";
    }
}
