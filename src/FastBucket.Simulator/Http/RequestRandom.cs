namespace FastBucket.Simulator.Http;

/// <summary>The random source of one request, derived from the simulator's seed and the request's arrival number.</summary>
internal static class RequestRandom
{
    public static Random Create(int seed, long requestNumber)
    {
        // SplitMix64 finalizer: neighbouring request numbers get unrelated seeds.
        ulong mixed = unchecked(((ulong)(uint)seed << 32) ^ (ulong)requestNumber);
        mixed = unchecked((mixed ^ (mixed >> 30)) * 0xBF58476D1CE4E5B9UL);
        mixed = unchecked((mixed ^ (mixed >> 27)) * 0x94D049BB133111EBUL);
        mixed ^= mixed >> 31;
        return new Random(unchecked((int)(mixed ^ (mixed >> 32))));
    }
}
