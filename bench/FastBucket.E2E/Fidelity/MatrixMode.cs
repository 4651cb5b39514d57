namespace FastBucket.E2E.Fidelity;

/// <summary>Whether the run is the e2e comparison or the fidelity matrix, full or smoke.</summary>
internal enum MatrixMode
{
    /// <summary>The e2e comparison on one lenient OpenAI account.</summary>
    None,

    /// <summary>The full matrix: runs of at least two minutes, results in perf-results/fidelity.md and .csv.</summary>
    Full,

    /// <summary>A short matrix for CI (under a minute): a sixth of the requests, results in fidelity-smoke.md and .csv.</summary>
    Smoke,
}
