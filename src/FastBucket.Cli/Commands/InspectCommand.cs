using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using FastBucket.Catalog;
using FastBucket.Providers.Inspection;
using FastBucket.Providers;
using Spectre.Console;

namespace FastBucket.Cli.Commands;

/// <summary><c>fastbucket inspect FILE</c>: the rate-limit signals in a response saved with <c>curl -i</c>.</summary>
internal static class InspectCommand
{
    public static Command Create()
    {
        var file = new Argument<string>("file") { Description = "A raw HTTP response as 'curl -i' saves it (status line, headers, blank line, body); '-' for standard input." };
        var provider = new Option<string?>("--provider", "-p") { Description = "openai, anthropic, gemini, openrouter, azure-openai, groq or generic; default: detected from the headers and body." };
        provider.AcceptOnlyFromAmong("openai", "anthropic", "gemini", "openrouter", "azure-openai", "azure", "groq", "generic");
        var now = new Option<string?>("--now") { Description = "The client's clock when the response arrived (RFC 3339), for absolute resets and HTTP-dates; default: the response's Date header, else this machine's clock." };
        var json = new Option<bool>("--json") { Description = "Print one JSON object with snake_case keys (null when absent, durations in seconds)." };

        var command = new Command("inspect", "Read a saved HTTP response and print the rate-limit signals FastBucket sees in it.")
        {
            file, provider, now, json,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            DateTimeOffset? clock = null;
            if (parse.GetValue(now) is { } nowText)
            {
                if (!DateTimeOffset.TryParse(nowText, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var parsed))
                {
                    await Console.Error.WriteLineAsync($"--now: '{nowText}' is not an RFC 3339 timestamp (e.g. 2025-01-01T12:00:00Z).").ConfigureAwait(false);
                    return ExitCodes.UsageError;
                }

                clock = parsed;
            }

            string path = parse.GetValue(file)!;
            RawResponseInspection inspection;
            try
            {
                await using var stream = path == "-" ? Console.OpenStandardInput() : File.OpenRead(path);
                inspection = await RawResponseInspector.InspectAsync(stream, CatalogProviders.TryGetProvider(parse.GetValue(provider)), clock, TimeProvider.System, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                await Console.Error.WriteLineAsync($"inspect: cannot read '{path}': {ex.Message}").ConfigureAwait(false);
                return ExitCodes.UsageError;
            }

            if (!inspection.Succeeded)
            {
                await Console.Error.WriteLineAsync($"inspect: '{path}' is not a readable HTTP response: {inspection.Error}").ConfigureAwait(false);
                return ExitCodes.UsageError;
            }

            var signals = inspection.Signals;
            if (parse.GetValue(json))
            {
                using var stdout = Console.OpenStandardOutput();
                using (var writer = new Utf8JsonWriter(stdout))
                {
                    RateLimitSignalsJsonWriter.Write(writer, signals);
                }

                stdout.Write("\n"u8);
                return ExitCodes.Success;
            }

            WriteTable(inspection);
            return ExitCodes.Success;
        });
        return command;
    }

    private static void WriteTable(RawResponseInspection inspection)
    {
        AnsiConsole.MarkupLine($"[bold]{Markup.Escape(inspection.Provider.ToString())}[/] response, status {inspection.Response!.StatusCode}, read at {inspection.Now:O}");
        // The JSON form is the single source of truth for names and units; the table shows its non-null entries.
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            RateLimitSignalsJsonWriter.Write(writer, inspection.Signals);
        }

        using var document = JsonDocument.Parse(buffer.ToArray());
        var table = new Table().Border(TableBorder.Rounded).AddColumn("signal").AddColumn("value");
        foreach (var property in document.RootElement.EnumerateObject())
        {
            if (property.Value.ValueKind != JsonValueKind.Null)
            {
                table.AddRow(Markup.Escape(property.Name), Markup.Escape(property.Value.ToString()));
            }
        }

        AnsiConsole.Write(table);
    }
}
