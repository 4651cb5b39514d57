using FastBucket.Quotas;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Validates the bound <see cref="FastBucketConfiguration"/> with the registry's own rules (<see cref="QuotaRegistryOptions.Validate"/>), naming the bad value.</summary>
internal sealed class FastBucketConfigurationValidation : IValidateOptions<FastBucketConfiguration>
{
    public ValidateOptionsResult Validate(string? name, FastBucketConfiguration options)
    {
        try
        {
            options.ApplyTo(new QuotaRegistryOptions()).Validate();
            return ValidateOptionsResult.Success;
        }
        catch (ArgumentException ex)
        {
            return ValidateOptionsResult.Fail($"FastBucket configuration: {ex.Message}");
        }
    }
}
