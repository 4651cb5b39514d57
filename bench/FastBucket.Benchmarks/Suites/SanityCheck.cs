namespace FastBucket.Benchmarks.Suites;

/// <summary>
/// Checks, at set-up and after runs, that a suite measures the path it claims to (grants that grant,
/// refusals that refuse). A benchmark that silently measured the wrong path would still print a number.
/// </summary>
internal static class SanityCheck
{
    /// <summary>Throws unless every outcome is <paramref name="expected"/>.</summary>
    public static void Expect(bool expected, params bool[] outcomes)
    {
        for (int i = 0; i < outcomes.Length; i++)
        {
            if (outcomes[i] != expected)
            {
                throw new InvalidOperationException(
                    $"Competitor #{i} {(expected ? "refused" : "granted")} where the scenario expects every call to {(expected ? "grant" : "refuse")}.");
            }
        }
    }

    /// <summary>Throws unless <paramref name="actual"/> operations succeeded out of <paramref name="expected"/>.</summary>
    public static void ExpectCount(string what, long expected, long actual)
    {
        if (actual != expected)
        {
            throw new InvalidOperationException($"{what}: {actual} of {expected} operations succeeded; the scenario expects all of them to.");
        }
    }
}
