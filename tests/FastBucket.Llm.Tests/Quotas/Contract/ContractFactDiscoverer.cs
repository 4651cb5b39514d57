using Xunit.Abstractions;
using Xunit.Sdk;

namespace FastBucket.Llm.Tests.Quotas.Contract;

/// <summary>Discovers <see cref="ContractFactAttribute"/> tests, skipping them when the test class's store is not available.</summary>
public sealed class ContractFactDiscoverer(IMessageSink diagnosticMessageSink) : IXunitTestCaseDiscoverer
{
    public IEnumerable<IXunitTestCase> Discover(ITestFrameworkDiscoveryOptions discoveryOptions, ITestMethod testMethod, IAttributeInfo factAttribute)
    {
        string? skip = testMethod.TestClass.Class.ToRuntimeType()?
            .GetCustomAttributes(inherit: true).OfType<IContractStoreAvailability>().Select(a => a.SkipReason).FirstOrDefault(r => r is not null);
        yield return new ContractTestCase(diagnosticMessageSink, discoveryOptions.MethodDisplayOrDefault(), discoveryOptions.MethodDisplayOptionsOrDefault(), testMethod, skip);
    }
}
