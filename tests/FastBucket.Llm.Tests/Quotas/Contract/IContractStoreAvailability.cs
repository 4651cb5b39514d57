namespace FastBucket.Llm.Tests.Quotas.Contract;

/// <summary>Put on a class attribute of a contract test class whose store needs something the machine may lack (a redis-server).</summary>
public interface IContractStoreAvailability
{
    /// <summary>Why the store's tests are skipped here, or <see langword="null"/> to run them.</summary>
    string? SkipReason { get; }
}
