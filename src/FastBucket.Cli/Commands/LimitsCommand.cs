using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using FastBucket.Catalog;
using Spectre.Console;

namespace FastBucket.Cli.Commands;

/// <summary><c>fastbucket limits [provider] [model]</c>: the limits catalog, with where each number comes from.</summary>
internal static class LimitsCommand
{
    public static Command Create()
    {
        var provider = new Argument<string?>("provider") { Description = "Only this provider (openai, anthropic, gemini, openrouter, azure-openai, groq).", Arity = ArgumentArity.ZeroOrOne };
        var model = new Argument<string?>("model") { Description = "Only entries that apply to this model.", Arity = ArgumentArity.ZeroOrOne };
        var file = new Option<string?>("--limits") { Description = "A JSON or YAML limits file layered over the built-in catalog." };
        var json = new Option<bool>("--json") { Description = "Print the entries as a JSON array." };

        var command = new Command("limits", "Show the published default limits per provider, model and tier, with source and as-of date.")
        {
            provider, model, file, json,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            LimitsCatalog catalog;
            try
            {
                catalog = parse.GetValue(file) is { } path ? LimitsCatalog.Load(path) : LimitsCatalog.CreateDefault();
            }
            catch (Exception ex) when (ex is LimitsCatalogException or IOException or UnauthorizedAccessException)
            {
                await Console.Error.WriteLineAsync($"limits: {ex.Message}").ConfigureAwait(false);
                return ExitCodes.UsageError;
            }

            IReadOnlyList<CatalogEntry> entries;
            try
            {
                entries = catalog.List(parse.GetValue(provider), parse.GetValue(model));
            }
            catch (ArgumentException ex)
            {
                await Console.Error.WriteLineAsync($"limits: {ex.Message}").ConfigureAwait(false);
                return ExitCodes.UsageError;
            }

            if (parse.GetValue(json))
            {
                WriteJson(entries);
            }
            else if (entries.Count == 0)
            {
                await Console.Error.WriteLineAsync("No catalog entry matches.").ConfigureAwait(false);
            }
            else
            {
                WriteTable(entries);
            }

            return ExitCodes.Success;
        });
        return command;
    }

    private static void WriteTable(IReadOnlyList<CatalogEntry> entries)
    {
        // Sources are long URLs: numbered in the table, listed under it, so the table fits a terminal.
        var sources = new List<string>();
        var table = new Table().Border(TableBorder.Rounded)
            .AddColumns("provider", "model", "tier", "RPM", "TPM", "in TPM", "out TPM", "RPD", "as of", "src");
        foreach (var e in entries)
        {
            var l = e.Limits;
            string source = "-";
            if (e.Source is { } s)
            {
                int index = sources.IndexOf(s);
                if (index < 0)
                {
                    sources.Add(s);
                    index = sources.Count - 1;
                }

                source = $"[{index + 1}]";
            }

            table.AddRow(
                Markup.Escape(e.Provider), Markup.Escape(e.Model), Markup.Escape(e.Tier),
                N(l.RequestsPerMinute), N(l.TokensPerMinute), N(l.InputTokensPerMinute), N(l.OutputTokensPerMinute),
                N(l.RequestsPerDay), Markup.Escape(e.AsOf ?? "-"), Markup.Escape(source));
        }

        AnsiConsole.Write(table);
        for (int i = 0; i < sources.Count; i++)
        {
            Console.WriteLine($"[{i + 1}] {sources[i]}");
        }
    }

    private static string N(long? value) => value is long v ? v.ToString("N0", CultureInfo.InvariantCulture) : "-";

    private static void WriteJson(IReadOnlyList<CatalogEntry> entries)
    {
        using var stdout = Console.OpenStandardOutput();
        using (var json = new Utf8JsonWriter(stdout, new JsonWriterOptions { Indented = true }))
        {
            json.WriteStartArray();
            foreach (var e in entries)
            {
                var l = e.Limits;
                json.WriteStartObject();
                json.WriteString("provider", e.Provider);
                json.WriteString("model", e.Model);
                json.WriteString("tier", e.Tier);
                Number(json, "rpm", l.RequestsPerMinute);
                Number(json, "tpm", l.TokensPerMinute);
                Number(json, "itpm", l.InputTokensPerMinute);
                Number(json, "otpm", l.OutputTokensPerMinute);
                Number(json, "rpd", l.RequestsPerDay);
                Number(json, "tpd", l.TokensPerDay);
                Number(json, "concurrency", l.MaxConcurrency);
                json.WriteString("source", e.Source);
                json.WriteString("as_of", e.AsOf);
                json.WriteString("origin", e.Origin);
                json.WriteEndObject();
            }

            json.WriteEndArray();
        }

        stdout.Write("\n"u8);
    }

    private static void Number(Utf8JsonWriter json, string name, long? value)
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
