using System.Text.Json;
using FastBucket.Quotas;

namespace FastBucket.Cli.Batch;

/// <summary>What a batch run achieved, printed as a table or (with <c>--json</c>) as one JSON object whose keys README documents.</summary>
internal sealed record BatchSummary
{
    public long Requests { get; init; }

    public long Succeeded { get; init; }

    public long Failed { get; init; }

    public long InvalidLines { get; init; }

    public long SkippedAlreadyDone { get; init; }

    public long RateLimited429 { get; init; }

    public long Retries { get; init; }

    public double WallSeconds { get; init; }

    public long InputTokens { get; init; }

    public long OutputTokens { get; init; }

    public double AchievedRpm { get; init; }

    public double AchievedTpm { get; init; }

    public long? LimitRpm { get; init; }

    public long? LimitTpm { get; init; }

    public long? LimitInputTpm { get; init; }

    public long? LimitOutputTpm { get; init; }

    /// <summary>The limit the run came closest to using fully (rpm, tpm, itpm, otpm, rpd, tpd), or null.</summary>
    public string? BindingLimit { get; init; }

    /// <summary>
    /// What the run consumed of its binding limit, as a share of what that limit allowed over the run: a full bucket
    /// at the start plus the refill over the wall time (<c>consumed / (limit + limit / 60 s × wall seconds)</c>).
    /// </summary>
    public double? BindingLimitShare { get; init; }

    public double WaitP50Ms { get; init; }

    public double WaitP99Ms { get; init; }

    public required string OutputFile { get; init; }

    public bool Interrupted { get; init; }

    /// <summary>0 when every request succeeded, 1 when any failed or the run was interrupted (exit codes in README).</summary>
    public int ExitCode => Failed == 0 && !Interrupted ? ExitCodes.Success : ExitCodes.SomeFailed;

    public static BatchSummary From(BatchRunner runner, BatchRunOptions options, bool interrupted)
    {
        var stats = runner.Statistics;
        double seconds = Math.Max(runner.Elapsed.TotalSeconds, 1e-3);
        long requests = stats.Succeeded + stats.Failed - stats.Invalid;
        long tokens = stats.InputTokens + stats.OutputTokens;
        var quotas = runner.Quotas.Quotas;
        var limits = quotas.Count == 1 ? quotas.First().Limits : null;

        string? binding = null;
        double? share = null;
        if (limits is not null)
        {
            void Consider(string name, long? perPeriod, double periodSeconds, long consumed)
            {
                if (perPeriod is not long limit || limit <= 0)
                {
                    return;
                }

                double allowed = limit + (limit / periodSeconds * seconds);
                double s = consumed / allowed;
                if (share is null || s > share)
                {
                    (binding, share) = (name, s);
                }
            }

            Consider("rpm", limits.RequestsPerMinute, 60, requests);
            Consider("tpm", limits.TokensPerMinute, 60, tokens);
            Consider("itpm", limits.InputTokensPerMinute, 60, stats.InputTokens);
            Consider("otpm", limits.OutputTokensPerMinute, 60, stats.OutputTokens);
            Consider("rpd", limits.RequestsPerDay, 86_400, requests);
            Consider("tpd", limits.TokensPerDay, 86_400, tokens);
        }

        return new BatchSummary
        {
            Requests = requests,
            Succeeded = stats.Succeeded,
            Failed = stats.Failed,
            InvalidLines = stats.Invalid,
            SkippedAlreadyDone = stats.Skipped,
            RateLimited429 = runner.RateLimited,
            Retries = runner.Retries,
            WallSeconds = Math.Round(seconds, 3),
            InputTokens = stats.InputTokens,
            OutputTokens = stats.OutputTokens,
            AchievedRpm = Math.Round(requests / seconds * 60, 1),
            AchievedTpm = Math.Round(tokens / seconds * 60, 1),
            LimitRpm = limits?.RequestsPerMinute,
            LimitTpm = limits?.TokensPerMinute,
            LimitInputTpm = limits?.InputTokensPerMinute,
            LimitOutputTpm = limits?.OutputTokensPerMinute,
            BindingLimit = binding,
            BindingLimitShare = share is double v ? Math.Round(v, 4) : null,
            WaitP50Ms = Math.Round(stats.Waits.Percentile(50), 1),
            WaitP99Ms = Math.Round(stats.Waits.Percentile(99), 1),
            OutputFile = Path.GetFullPath(options.OutputPath),
            Interrupted = interrupted,
        };
    }

    public void WriteJson(Stream stream)
    {
        using var json = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = false });
        json.WriteStartObject();
        json.WriteNumber("requests", Requests);
        json.WriteNumber("succeeded", Succeeded);
        json.WriteNumber("failed", Failed);
        json.WriteNumber("invalid_lines", InvalidLines);
        json.WriteNumber("skipped_already_done", SkippedAlreadyDone);
        json.WriteNumber("rate_limited_429", RateLimited429);
        json.WriteNumber("retries", Retries);
        json.WriteNumber("wall_seconds", WallSeconds);
        json.WriteNumber("input_tokens", InputTokens);
        json.WriteNumber("output_tokens", OutputTokens);
        json.WriteNumber("achieved_rpm", AchievedRpm);
        json.WriteNumber("achieved_tpm", AchievedTpm);
        WriteNullable(json, "limit_rpm", LimitRpm);
        WriteNullable(json, "limit_tpm", LimitTpm);
        WriteNullable(json, "limit_itpm", LimitInputTpm);
        WriteNullable(json, "limit_otpm", LimitOutputTpm);
        if (BindingLimit is null)
        {
            json.WriteNull("binding_limit");
            json.WriteNull("binding_limit_share");
        }
        else
        {
            json.WriteString("binding_limit", BindingLimit);
            json.WriteNumber("binding_limit_share", BindingLimitShare!.Value);
        }

        json.WriteNumber("wait_p50_ms", WaitP50Ms);
        json.WriteNumber("wait_p99_ms", WaitP99Ms);
        json.WriteString("output_file", OutputFile);
        json.WriteBoolean("interrupted", Interrupted);
        json.WriteEndObject();
    }

    private static void WriteNullable(Utf8JsonWriter json, string name, long? value)
    {
        if (value is long v)
        {
            json.WriteNumber(name, v);
        }
        else
        {
            json.WriteNull(name);
        }
    }
}
