namespace FastBucket.Simulator.Accounting;

/// <summary>What happens to an admitted request's charge when it completes.</summary>
public enum ChargeSettlement
{
    /// <summary>The unused part of the reservation (requested output not generated) goes back: Anthropic's OTPM
    /// ("OTPM is estimated based on max_tokens at the beginning ... and adjusted at the end to reflect actual usage").</summary>
    SettleToActual,

    /// <summary>The admission charge stands: nothing goes back. OpenAI and Azure count max_tokens at request time
    /// and document no refund.</summary>
    KeepAdmissionCharge,
}
