namespace FastBucket.Simulator.Generation;

/// <summary>Makes filler text of a given number of words, one word per output token.</summary>
internal static class TextGenerator
{
    private static readonly string[] Vocabulary =
    [
        "the", "bucket", "refills", "at", "a", "steady", "rate", "and", "every", "request", "takes", "its", "share",
        "tokens", "flow", "in", "time", "limits", "hold", "when", "clients", "wait", "for", "room", "so", "no", "one",
        "sees", "errors", "while", "throughput", "stays", "high", "models", "answer", "with", "words", "like", "these",
        "simulated", "output", "is", "plain", "deterministic", "text", "from", "seeded", "draws", "per", "minute",
        "day", "input", "counts", "too", "quota", "window", "grows", "back", "slowly", "over", "quiet", "periods",
        "then", "bursts",
    ];

    public static string[] Words(Random random, int count)
    {
        var words = new string[count];
        for (int i = 0; i < count; i++)
        {
            words[i] = Vocabulary[random.Next(Vocabulary.Length)];
        }

        return words;
    }
}
