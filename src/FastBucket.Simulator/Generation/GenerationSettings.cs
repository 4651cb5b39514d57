namespace FastBucket.Simulator.Generation;

/// <summary>The generation settings every endpoint shares, fixed when the simulator starts.</summary>
/// <param name="MinOutputShare">The fewest output tokens as a share of the request's maximum.</param>
/// <param name="MinOutputTokens">The fewest output tokens a generation produces, unless the request allows fewer.</param>
/// <param name="DefaultMaxOutputTokens">The output maximum of a request that states none.</param>
/// <param name="TokensPerChunk">Output tokens per streamed chunk.</param>
internal sealed record GenerationSettings(int MinOutputTokens, int DefaultMaxOutputTokens, int TokensPerChunk, double MinOutputShare = 0);
