namespace FastBucket.Simulator.Generation;

/// <summary>The simulated model's answer to one request.</summary>
/// <param name="Id">The response id in the provider's style.</param>
/// <param name="Words">The output, one word per output token.</param>
/// <param name="ReachedMaximum">Whether generation stopped at the request's maximum (finish reason "length" / "max_tokens").</param>
/// <param name="Created">When the response was created.</param>
/// <param name="ContentSeed">A seed for any further content (embedding values), derived from the request's random source.</param>
internal sealed record GeneratedCompletion(string Id, string[] Words, bool ReachedMaximum, DateTimeOffset Created, int ContentSeed)
{
    public int OutputTokens => Words.Length;

    public string Text => string.Join(' ', Words);

    /// <summary>The output cut into streamed pieces of <paramref name="tokensPerChunk"/> words; each piece after the first starts with a space.</summary>
    public IEnumerable<string> Chunks(int tokensPerChunk)
    {
        for (int start = 0; start < Words.Length; start += tokensPerChunk)
        {
            string piece = string.Join(' ', Words, start, Math.Min(tokensPerChunk, Words.Length - start));
            yield return start == 0 ? piece : " " + piece;
        }
    }

    public int ChunkCount(int tokensPerChunk) => (Words.Length + tokensPerChunk - 1) / tokensPerChunk;
}
