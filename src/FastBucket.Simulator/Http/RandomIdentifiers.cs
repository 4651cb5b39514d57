namespace FastBucket.Simulator.Http;

/// <summary>Provider-style ids drawn from a request's random source, so that a seed reproduces them.</summary>
internal static class RandomIdentifiers
{
    private const string Alphanumerics = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    private const string HexDigits = "0123456789abcdef";

    public static string Alphanumeric(Random random, int length) => Draw(random, Alphanumerics, length);

    public static string Hex(Random random, int length) => Draw(random, HexDigits, length);

    private static string Draw(Random random, string alphabet, int length) =>
        string.Create(length, (random, alphabet), static (span, state) =>
        {
            for (int i = 0; i < span.Length; i++)
            {
                span[i] = state.alphabet[state.random.Next(state.alphabet.Length)];
            }
        });
}
