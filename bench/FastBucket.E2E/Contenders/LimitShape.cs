namespace FastBucket.E2E.Contenders;

/// <summary>The account's limits, which every contender is told (none gets headroom the others lack).</summary>
internal sealed record LimitShape(long RequestsPerMinute, long TokensPerMinute);
