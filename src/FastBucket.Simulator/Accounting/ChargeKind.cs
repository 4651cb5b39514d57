namespace FastBucket.Simulator.Accounting;

/// <summary>Why an entry was written to the charge log.</summary>
public enum ChargeKind
{
    /// <summary>A request was admitted and its reservation taken (positive amounts).</summary>
    Admission,

    /// <summary>A request finished and the unused part of its reservation was returned (negative amounts).</summary>
    Settlement,

    /// <summary>A request was refused (429) and charged anyway on the dimensions whose provider counts failed requests (positive amounts).</summary>
    RefusedCharge,
}
