using System.Globalization;
using System.Text.Json;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace FastBucket.Cli.Dashboard;

/// <summary>
/// How <c>fastbucket monitor</c> shows the watched process's quotas: a live table on a terminal, a block of plain
/// lines per interval when output is redirected, or one JSON object per interval (<c>--json</c>).
/// </summary>
internal static class QuotaMonitorView
{
    public static IRenderable Table(int processId, IReadOnlyList<QuotaMonitorRow> rows, string? error)
    {
        var table = new Table().Border(TableBorder.Rounded).Title($"FastBucket quotas in process {processId}");
        foreach (var column in new[] { "quota", "granted", "/s", "wait p50", "wait p95", "429s", "retries", "refused", "available" })
        {
            table.AddColumn(column);
        }

        foreach (var row in rows)
        {
            table.AddRow(
                Markup.Escape($"{row.Provider}/{row.Model}"),
                Number(row.Grants),
                row.GrantsPerSecond.ToString("0.0", CultureInfo.InvariantCulture),
                Seconds(row.WaitP50),
                Seconds(row.WaitP95),
                Number(row.RateLimited),
                Number(row.Retries),
                Number(row.Refusals),
                Markup.Escape(Available(row)));
        }

        if (rows.Count == 0)
        {
            table.Caption("waiting for the FastBucket meter (no quota has been used yet)");
        }

        return error is null ? table : new Rows(table, new Markup($"[red]{Markup.Escape(error)}[/]"));
    }

    public static IEnumerable<string> PlainLines(TimeSpan elapsed, IReadOnlyList<QuotaMonitorRow> rows)
    {
        if (rows.Count == 0)
        {
            yield return string.Create(CultureInfo.InvariantCulture, $"[{elapsed.TotalSeconds,6:0.0}s] no FastBucket quota seen yet");
        }

        foreach (var row in rows)
        {
            yield return string.Create(
                CultureInfo.InvariantCulture,
                $"[{elapsed.TotalSeconds,6:0.0}s] {row.Provider}/{row.Model} granted {Number(row.Grants)} ({row.GrantsPerSecond:0.0}/s) wait p50 {Seconds(row.WaitP50)} p95 {Seconds(row.WaitP95)} 429s {Number(row.RateLimited)} retries {Number(row.Retries)} refused {Number(row.Refusals)} available {Available(row)}");
        }
    }

    public static string Json(int processId, TimeSpan elapsed, IReadOnlyList<QuotaMonitorRow> rows)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteNumber("pid", processId);
            json.WriteNumber("elapsed_s", Math.Round(elapsed.TotalSeconds, 3));
            json.WriteStartArray("quotas");
            foreach (var row in rows)
            {
                json.WriteStartObject();
                json.WriteString("provider", row.Provider);
                json.WriteString("model", row.Model);
                json.WriteNumber("grants", row.Grants);
                json.WriteNumber("grants_per_second", Math.Round(row.GrantsPerSecond, 3));
                json.WriteNumber("refusals", row.Refusals);
                json.WriteNumber("rate_limited", row.RateLimited);
                json.WriteNumber("retries", row.Retries);
                WriteOptional(json, "wait_p50_s", row.WaitP50);
                WriteOptional(json, "wait_p95_s", row.WaitP95);
                json.WriteStartObject("available");
                foreach (var (dimension, level) in row.Available)
                {
                    json.WriteNumber(dimension, level);
                }

                json.WriteEndObject();
                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteEndObject();
        }

        return System.Text.Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
    }

    private static void WriteOptional(Utf8JsonWriter json, string name, double? value)
    {
        if (value is { } v)
        {
            json.WriteNumber(name, v);
        }
        else
        {
            json.WriteNull(name);
        }
    }

    private static string Available(QuotaMonitorRow row) =>
        row.Available.Count == 0 ? "-" : string.Join(' ', row.Available.Select(a => string.Create(CultureInfo.InvariantCulture, $"{a.Key}={a.Value:0}")));

    private static string Number(double value) => value.ToString("0", CultureInfo.InvariantCulture);

    private static string Seconds(double? value) => value is { } v ? v.ToString("0.000s", CultureInfo.InvariantCulture) : "-";
}
