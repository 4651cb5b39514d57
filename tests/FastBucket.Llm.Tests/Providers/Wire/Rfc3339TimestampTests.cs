using FastBucket.Providers.Wire;
using FastBucket.Providers;
using FsCheck.Xunit;

namespace FastBucket.Llm.Tests.Providers.Wire;

public sealed class Rfc3339TimestampTests
{
    [Theory]
    [InlineData("2025-08-21T12:41:17.250Z", "2025-08-21T12:41:17.2500000+00:00")]
    [InlineData("2025-08-21T12:41:01+00:00", "2025-08-21T12:41:01.0000000+00:00")]
    [InlineData("2025-08-21t12:41:01z", "2025-08-21T12:41:01.0000000+00:00")]
    [InlineData("2025-08-21T07:41:01-05:00", "2025-08-21T12:41:01.0000000+00:00")]
    [InlineData("2025-08-21T12:41:01.123456789Z", "2025-08-21T12:41:01.1234567+00:00")]
    [InlineData("2025-01-12T23:11:59Z", "2025-01-12T23:11:59.0000000+00:00")]
    public void TryParse_Rfc3339_ReadsInstant(string text, string expected)
    {
        Assert.True(Rfc3339Timestamp.TryParse(text, out DateTimeOffset value));
        Assert.Equal(DateTimeOffset.Parse(expected, System.Globalization.CultureInfo.InvariantCulture), value);
        Assert.Equal(TimeSpan.Zero, value.Offset);
    }

    [Theory]
    [InlineData("")]
    [InlineData("2025-08-21")]
    [InlineData("2025-08-21T12:41:01")]
    [InlineData("2025-13-21T12:41:01Z")]
    [InlineData("2025-02-30T12:41:01Z")]
    [InlineData("2025-08-21T12:41:01.Z")]
    [InlineData("2025-08-21T12:41:01+25:00")]
    [InlineData("0001-01-01T00:00:00+01:00")]
    [InlineData("9999-12-31T23:59:59-01:00")]
    [InlineData("Thu, 21 Aug 2025 12:41:01 GMT")]
    public void TryParse_NotRfc3339OrOutOfRange_ReturnsFalse(string text)
    {
        Assert.False(Rfc3339Timestamp.TryParse(text, out _));
    }

    [Property(MaxTest = 500)]
    public bool TryParse_RoundTripFormat_ReadsBackTheInstant(DateTimeOffset instant)
    {
        DateTimeOffset utc = instant.ToUniversalTime();
        return Rfc3339Timestamp.TryParse(utc.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", System.Globalization.CultureInfo.InvariantCulture), out DateTimeOffset parsed)
            && parsed == utc;
    }

    [Property(MaxTest = 1000)]
    public bool TryParse_AnyText_NeverThrows(string text)
    {
        Rfc3339Timestamp.TryParse(text, out _);
        return true;
    }
}
