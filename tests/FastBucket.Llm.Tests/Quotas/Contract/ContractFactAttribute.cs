using Xunit;
using Xunit.Sdk;

namespace FastBucket.Llm.Tests.Quotas.Contract;

/// <summary>
/// A test of the quota contract, declared once on <see cref="QuotaContractTests"/> and run for every store that derives
/// from it; skipped, with the reason, when the deriving class says its store is not available here
/// (<see cref="IContractStoreAvailability"/>).
/// </summary>
[AttributeUsage(AttributeTargets.Method)]
[XunitTestCaseDiscoverer("FastBucket.Llm.Tests.Quotas.Contract.ContractFactDiscoverer", "FastBucket.Llm.Tests")]
public sealed class ContractFactAttribute : FactAttribute;
