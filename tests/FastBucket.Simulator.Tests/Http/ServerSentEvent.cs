using System.Text.Json;

namespace FastBucket.Simulator.Tests.Http;

/// <summary>One parsed server-sent event.</summary>
internal sealed record ServerSentEvent(string? Event, string Data)
{
    public JsonElement Json()
    {
        using JsonDocument document = JsonDocument.Parse(Data);
        return document.RootElement.Clone();
    }

    /// <summary>Splits a whole event-stream body into events (blank-line separated, LF or CRLF).</summary>
    public static IReadOnlyList<ServerSentEvent> ParseAll(string body)
    {
        var events = new List<ServerSentEvent>();
        string normalized = body.Replace("\r\n", "\n", StringComparison.Ordinal);
        foreach (string block in normalized.Split("\n\n", StringSplitOptions.RemoveEmptyEntries))
        {
            string? name = null;
            var data = new List<string>();
            foreach (string line in block.Split('\n'))
            {
                if (line.StartsWith("event: ", StringComparison.Ordinal))
                {
                    name = line["event: ".Length..];
                }
                else if (line.StartsWith("data: ", StringComparison.Ordinal))
                {
                    data.Add(line["data: ".Length..]);
                }
            }

            if (data.Count > 0)
            {
                events.Add(new ServerSentEvent(name, string.Join('\n', data)));
            }
        }

        return events;
    }
}
