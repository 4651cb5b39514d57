namespace FastBucket.Quotas;

/// <summary>What a <see cref="QuotaReservation"/> calls back into when it ends.</summary>
internal interface IQuotaReservationOwner
{
    /// <summary>Gives back (negative) or charges more (positive) on one dimension.</summary>
    void Adjust(QuotaDimension dimension, long delta);

    /// <summary>The reservation ended, however it ended: frees its slot and its in-flight count.</summary>
    void Release(in RequestCost cost);
}
