using System.Text;
using System.Text.Json;

namespace FastBucket.Cli.Batch;

/// <summary>
/// Makes an existing output file ready for a resumed run: keeps exactly one successful line per custom id, drops
/// failed results (they are retried and written again) and any torn or corrupt line (a crash mid-write), and
/// rewrites the file through a temporary file and an atomic rename so that a crash during the repair loses nothing.
/// </summary>
internal static class BatchOutputFile
{
    public static async Task<BatchOutputRepair> PrepareAsync(string path, CancellationToken cancellationToken)
    {
        var completed = new HashSet<string>(StringComparer.Ordinal);
        if (!File.Exists(path))
        {
            return new BatchOutputRepair(completed, 0, 0, 0);
        }

        string temporary = path + ".fastbucket-tmp";
        int dropped = 0, failed = 0, duplicates = 0;
        using (var reader = new StreamReader(path, Encoding.UTF8, detectEncodingFromByteOrderMarks: false, new FileStreamOptions { Options = FileOptions.SequentialScan, BufferSize = 1 << 16 }))
        await using (var writer = new StreamWriter(temporary, false, new UTF8Encoding(false), 1 << 16))
        {
            writer.NewLine = "\n";
            while (await reader.ReadLineAsync(cancellationToken).ConfigureAwait(false) is { } line)
            {
                if (line.Length == 0)
                {
                    continue;
                }

                switch (Classify(line, out string? customId))
                {
                    case LineKind.Succeeded when completed.Add(customId!):
                        await writer.WriteLineAsync(line.AsMemory(), cancellationToken).ConfigureAwait(false);
                        break;
                    case LineKind.Succeeded:
                        duplicates++;
                        break;
                    case LineKind.Failed:
                        failed++;
                        break;
                    default:
                        dropped++;
                        break;
                }
            }

            await writer.FlushAsync(cancellationToken).ConfigureAwait(false);
            ((FileStream)writer.BaseStream).Flush(flushToDisk: true);
        }

        File.Move(temporary, path, overwrite: true);
        return new BatchOutputRepair(completed, failed, dropped, duplicates);
    }

    private static LineKind Classify(string line, out string? customId)
    {
        customId = null;
        try
        {
            using var document = JsonDocument.Parse(line);
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object
                || !root.TryGetProperty("custom_id", out var id) || id.ValueKind != JsonValueKind.String)
            {
                return LineKind.Corrupt;
            }

            customId = id.GetString();
            return root.TryGetProperty("response", out var response) && response.ValueKind == JsonValueKind.Object
                && response.TryGetProperty("status_code", out var status) && status.TryGetInt32(out int code) && code is >= 200 and < 300
                ? LineKind.Succeeded
                : LineKind.Failed;
        }
        catch (JsonException)
        {
            return LineKind.Corrupt;
        }
    }

    private enum LineKind
    {
        Corrupt,
        Failed,
        Succeeded,
    }
}
