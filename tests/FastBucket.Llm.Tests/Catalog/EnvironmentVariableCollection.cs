namespace FastBucket.Llm.Tests.Catalog;

/// <summary>Sets the real FASTBUCKET_LIMITS variable, so it runs alone.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class EnvironmentVariableCollection
{
    public const string Name = "FASTBUCKET_LIMITS environment variable";
}
