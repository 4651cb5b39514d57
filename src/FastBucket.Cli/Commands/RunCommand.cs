using System.CommandLine;
using FastBucket.Catalog;
using FastBucket.Cli.Batch;
using FastBucket.Quotas;

namespace FastBucket.Cli.Commands;

/// <summary><c>fastbucket run INPUT.jsonl</c>: sends a batch file through the quotas, resumably.</summary>
internal static class RunCommand
{
    public static Command Create()
    {
        var input = new Argument<string>("input") { Description = "The batch file (JSONL): OpenAI Batch API lines or bare request bodies; '-' for standard input." };
        var output = new Option<string?>("--output", "-o") { Description = "The results file (OpenAI Batch output format); default: INPUT with '.results.jsonl'. Existing results are kept and their requests skipped." };
        var provider = new Option<string>("--provider", "-p") { Description = "openai, anthropic, gemini, openrouter or azure.", DefaultValueFactory = _ => "openai" };
        provider.Validators.Add(r =>
        {
            if (!ProviderEndpoint.Names.Contains(r.GetValueOrDefault<string>(), StringComparer.OrdinalIgnoreCase))
            {
                r.AddError($"--provider must be one of: {string.Join(", ", ProviderEndpoint.Names)}.");
            }
        });
        var baseUrl = new Option<string?>("--base-url") { Description = "The API root (default: the provider's public endpoint; required for azure)." };
        var keyEnv = new Option<string?>("--api-key-env") { Description = "The environment variable holding the API key (default: OPENAI_API_KEY, ANTHROPIC_API_KEY, GEMINI_API_KEY, OPENROUTER_API_KEY or AZURE_OPENAI_API_KEY). Keys are never read from the command line." };
        var model = new Option<string?>("--model", "-m") { Description = "The model for lines whose body names none (and for the default Gemini / Azure path)." };
        var limitsFile = new Option<string?>("--limits") { Description = "A limits file overriding the built-in catalog: JSON (the shape of provider-limits.json) or YAML (provider, model, requests_per_minute...)." };
        var tier = new Option<string?>("--tier") { Description = "Your account's tier in the catalog (e.g. tier-1)." };
        var limits = new LimitOptions();
        var ordered = new Option<bool>("--ordered") { Description = "Write results in input order (held results are bounded by a window)." };
        var maxAttempts = new Option<int>("--max-attempts") { Description = "Attempts per request, the first included (429s and 5xx are retried after the wait the provider asks for).", DefaultValueFactory = _ => 7 };
        maxAttempts.Validators.Add(r => { if (r.GetValueOrDefault<int>() is < 1 or > 100) r.AddError("--max-attempts must be from 1 to 100."); });
        var workers = new Option<int>("--workers") { Description = "Requests held at once (waiting for quota or at the provider).", DefaultValueFactory = _ => 256 };
        workers.Validators.Add(r => { if (r.GetValueOrDefault<int>() is < 1 or > 100_000) r.AddError("--workers must be from 1 to 100000."); });
        var progress = new ProgressOptions();
        var timeout = new Option<double>("--timeout") { Description = "Seconds a request may take, waits for quota and retries included.", DefaultValueFactory = _ => 600 };
        timeout.Validators.Add(r => { if (r.GetValueOrDefault<double>() is < 1 or > 86_400) r.AddError("--timeout must be from 1 to 86400 seconds."); });
        var redis = RedisOption.Create();
        var redisInstances = RedisOption.CreateInstances();

        var command = new Command("run", "Send a JSONL batch through the rate limits: resumable, crash-safe, no 429 storms.")
        {
            input, output, provider, baseUrl, keyEnv, model, limitsFile, tier, ordered, maxAttempts, workers, timeout, redis, redisInstances,
        };
        limits.AddTo(command);
        progress.AddTo(command);

        command.SetAction(async (parse, cancellationToken) =>
        {
            string inputPath = parse.GetValue(input)!;
            if (inputPath != "-" && !File.Exists(inputPath))
            {
                await Console.Error.WriteLineAsync($"Input file not found: {inputPath}").ConfigureAwait(false);
                return ExitCodes.UsageError;
            }

            var endpoint = ProviderEndpoint.For(parse.GetValue(provider)!);
            Uri? root = endpoint.DefaultBaseUrl;
            if (parse.GetValue(baseUrl) is { } given)
            {
                if (!Uri.TryCreate(given, UriKind.Absolute, out root) || (root.Scheme != Uri.UriSchemeHttp && root.Scheme != Uri.UriSchemeHttps))
                {
                    await Console.Error.WriteLineAsync($"--base-url must be an absolute http(s) URL, not '{given}'.").ConfigureAwait(false);
                    return ExitCodes.UsageError;
                }
            }

            if (root is null)
            {
                await Console.Error.WriteLineAsync($"--base-url is required for {endpoint.Name}.").ConfigureAwait(false);
                return ExitCodes.UsageError;
            }

            string keyVariable = parse.GetValue(keyEnv) ?? endpoint.DefaultKeyVariable;
            string? apiKey = Environment.GetEnvironmentVariable(keyVariable);
            if (string.IsNullOrEmpty(apiKey))
            {
                if (parse.GetValue(baseUrl) is null)
                {
                    await Console.Error.WriteLineAsync($"No API key: set the environment variable {keyVariable}.").ConfigureAwait(false);
                    return ExitCodes.UsageError;
                }

                await Console.Error.WriteLineAsync($"Note: {keyVariable} is not set; sending requests without a key.").ConfigureAwait(false);
            }

            var quotas = new QuotaRegistryOptions { Limits = limits.Read(parse), Tier = parse.GetValue(tier) };
            if (parse.GetValue(limitsFile) is { } file)
            {
                try
                {
                    quotas.Catalog = LimitsCatalog.Load(file);
                }
                catch (Exception ex) when (ex is LimitsCatalogException or IOException or UnauthorizedAccessException)
                {
                    await Console.Error.WriteLineAsync($"--limits: {ex.Message}").ConfigureAwait(false);
                    return ExitCodes.UsageError;
                }
            }

            using var shared = await RedisOption.ApplyAsync(parse, redis, redisInstances, quotas).ConfigureAwait(false);
            if (shared is { Failed: true })
            {
                return ExitCodes.UsageError;
            }

            string outputPath = parse.GetValue(output) ?? DefaultOutput(inputPath);
            var options = new BatchRunOptions
            {
                Endpoint = endpoint,
                BaseUrl = root,
                ApiKey = apiKey,
                Model = parse.GetValue(model),
                Quotas = quotas,
                OutputPath = outputPath,
                Ordered = parse.GetValue(ordered),
                MaxAttempts = parse.GetValue(maxAttempts),
                Workers = parse.GetValue(workers),
                RequestTimeout = TimeSpan.FromSeconds(parse.GetValue(timeout)),
            };

            string? modelName = options.Model;
            var summary = await BatchExecution.RunAsync(
                options,
                ReadLinesAsync(inputPath, modelName, cancellationToken),
                inputPath == "-" ? null : stats => _ = CountLinesAsync(inputPath, stats),
                $"fastbucket run {Path.GetFileName(inputPath)} → {endpoint.Name}",
                parse,
                progress,
                cancellationToken).ConfigureAwait(false);
            return summary.ExitCode;
        });
        return command;
    }

    private static string DefaultOutput(string input) =>
        input == "-" ? "results.jsonl" : Path.ChangeExtension(input, null) + ".results.jsonl";

    private static async IAsyncEnumerable<BatchInputLine> ReadLinesAsync(string path, string? model, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        using var reader = BatchInputReader.Open(path);
        await foreach (var line in BatchInputReader.ReadAsync(reader, model, cancellationToken).ConfigureAwait(false))
        {
            yield return line;
        }
    }

    /// <summary>Counts the non-blank lines in the background, for the ETA; the run does not wait for it.</summary>
    private static async Task CountLinesAsync(string path, BatchStatistics stats)
    {
        try
        {
            long count = 0;
            using var reader = new StreamReader(path);
            while (await reader.ReadLineAsync().ConfigureAwait(false) is { } line)
            {
                if (!string.IsNullOrWhiteSpace(line))
                {
                    count++;
                }
            }

            stats.SetTotal(count);
        }
        catch (IOException)
        {
            // The ETA stays unknown; the run itself reads the file on its own.
        }
    }
}
