namespace FastBucket.Estimation;

/// <summary>The OpenAI byte-pair encodings FastBucket counts with.</summary>
internal enum TiktokenEncoding
{
    /// <summary><c>o200k_base</c>: gpt-4o, gpt-4.1, gpt-4.5, gpt-5, the o-series; also the stand-in for other providers.</summary>
    O200kBase = 0,

    /// <summary><c>cl100k_base</c>: gpt-4, gpt-3.5-turbo and the text-embedding models.</summary>
    Cl100kBase,
}
