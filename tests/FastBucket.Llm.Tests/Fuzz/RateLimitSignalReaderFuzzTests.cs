using System.Net;
using System.Text;
using FastBucket.Llm.Tests.Providers;
using FastBucket.Providers;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;

namespace FastBucket.Llm.Tests.Fuzz;

/// <summary>The rate-limit signal reader over mutated real responses (every provider vector): never throws, ends, bounded memory.</summary>
public sealed class RateLimitSignalReaderFuzzTests
{
    private static readonly ProviderVector[] s_vectors = [.. ProviderVector.All.Values.OrderBy(v => v.Id, StringComparer.Ordinal)];

    [Property(MaxTest = 400)]
    public bool Read_MutatedVector_NeverThrowsEndsAndAllocatesInProportion(int seed, PositiveInt vectorIndex, bool mutateHeaders)
    {
        ProviderVector vector = s_vectors[vectorIndex.Get % s_vectors.Length];
        byte[] body = Mutation.Apply(vector.Body, seed);
        using HttpResponseMessage response = vector.ToResponse();
        if (mutateHeaders)
        {
            foreach (var header in response.Headers.NonValidated.ToArray())
            {
                string value = string.Join(",", header.Value);
                response.Headers.Remove(header.Key);
                response.Headers.TryAddWithoutValidation(header.Key, Mutation.Apply(value, seed ^ header.Key.GetHashCode(StringComparison.Ordinal)));
            }
        }

        foreach (LlmProvider provider in Enum.GetValues<LlmProvider>())
        {
            string? failure = Budget.Check($"{vector.Id} as {provider}", body.Length, allowedPerInputByte: 16, allowedFixed: 256 * 1024, () =>
            {
                RateLimitSignals signals = RateLimitSignalReader.Read(provider, response, body, vector.Now);
                using var written = ProviderVectorTests.WriteJson(signals);
            });
            if (failure is not null)
            {
                throw new InvalidOperationException(failure);
            }
        }

        return true;
    }

    [Property(MaxTest = 200)]
    public bool Read_RandomBytesAsBodyOfEveryStatus_NeverThrows(byte[] body, int status)
    {
        using var response = new HttpResponseMessage((HttpStatusCode)(100 + (Math.Abs(status % 900)))) { Content = new ByteArrayContent([]) };
        foreach (LlmProvider provider in Enum.GetValues<LlmProvider>())
        {
            _ = RateLimitSignalReader.Read(provider, response, body ?? [], DateTimeOffset.UnixEpoch);
        }

        return true;
    }

    [Fact]
    public void Read_DeeplyNestedAndHugeBodies_EndWithinBounds()
    {
        byte[][] bodies =
        [
            Encoding.UTF8.GetBytes(new string('[', 100_000)),
            Encoding.UTF8.GetBytes("{\"error\":{\"message\":\"" + string.Concat(Enumerable.Repeat("Please try again in 1h2m3s limited to 8 requests per minute ", 20_000)) + "\"}}"),
            Encoding.UTF8.GetBytes("{\"error\":{\"message\":\"" + new string('9', 1_000_000) + " requests per minute\"}}"),
        ];
        using var response = new HttpResponseMessage(HttpStatusCode.TooManyRequests) { Content = new ByteArrayContent([]) };
        foreach (byte[] body in bodies)
        {
            foreach (LlmProvider provider in Enum.GetValues<LlmProvider>())
            {
                Assert.Null(Budget.Check($"{body.Length} bytes as {provider}", body.Length, allowedPerInputByte: 16, allowedFixed: 256 * 1024, () => RateLimitSignalReader.Read(provider, response, body, DateTimeOffset.UnixEpoch)));
            }
        }
    }
}
