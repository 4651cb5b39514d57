namespace FastBucket.Buckets;

/// <summary>
/// One change of a bucket's state word, applied inside the CAS loop. Implemented by structs so that the
/// loop is specialised per transition and nothing is allocated.
/// </summary>
internal interface IStateTransition
{
    /// <summary>The word to write for <paramref name="state"/> at virtual time <paramref name="v"/>; <paramref name="state"/> itself for no change.</summary>
    long Apply(BucketGeneration generation, long state, long v);
}
