using System.Globalization;
using System.Text;

namespace FastBucket.Simulator.Providers.OpenAI;

/// <summary>
/// Formats durations as Go's <c>time.Duration.String()</c> does, which is how OpenAI writes its reset headers
/// and "Please try again in ..." hints: <c>0s</c>, <c>12ms</c>, <c>1.146s</c>, <c>6m0s</c>, <c>1h2m3.5s</c>.
/// Rounded up to whole milliseconds, the precision OpenAI sends, so that waiting the stated time is enough.
/// </summary>
internal static class GoDuration
{
    public static string Format(TimeSpan duration)
    {
        long milliseconds = duration <= TimeSpan.Zero ? 0 : (long)Math.Ceiling(duration.TotalMilliseconds - 1e-6);
        if (milliseconds == 0)
        {
            return "0s";
        }

        if (milliseconds < 1000)
        {
            return milliseconds.ToString(CultureInfo.InvariantCulture) + "ms";
        }

        long hours = milliseconds / 3_600_000;
        long minutes = milliseconds / 60_000 % 60;
        long seconds = milliseconds / 1000 % 60;
        long fraction = milliseconds % 1000;

        var text = new StringBuilder();
        if (hours > 0)
        {
            text.Append(hours.ToString(CultureInfo.InvariantCulture)).Append('h');
        }

        if (hours > 0 || minutes > 0)
        {
            text.Append(minutes.ToString(CultureInfo.InvariantCulture)).Append('m');
        }

        text.Append(seconds.ToString(CultureInfo.InvariantCulture));
        if (fraction > 0)
        {
            text.Append('.').Append(fraction.ToString("000", CultureInfo.InvariantCulture).TrimEnd('0'));
        }

        return text.Append('s').ToString();
    }
}
