using System.Text;

namespace FastBucket.Llm.Tests.Providers.Wire;

/// <summary>A faithful port of Go's <c>time.Duration.String()</c> (src/time/time.go: <c>format</c>, <c>fmtFrac</c>, <c>fmtInt</c>).</summary>
internal static class GoDurationFormat
{
    private const ulong Microsecond = 1_000;
    private const ulong Millisecond = 1_000_000;
    private const ulong Second = 1_000_000_000;

    public static string Format(long duration)
    {
        // Largest time is 2540400h10m10.000000000s; 32 bytes as in Go.
        var buffer = new byte[32];
        int w = buffer.Length;
        ulong u = unchecked((ulong)duration);
        bool negative = duration < 0;
        if (negative)
        {
            u = unchecked(0 - u);
        }

        if (u < Second)
        {
            // Special case: if duration is smaller than a second, use smaller units, like 1.2ms.
            int precision;
            w--;
            buffer[w] = (byte)'s';
            w--;
            if (u == 0)
            {
                buffer[w] = (byte)'0';
                return Encoding.UTF8.GetString(buffer, w, buffer.Length - w);
            }
            else if (u < Microsecond)
            {
                precision = 0;
                buffer[w] = (byte)'n';
            }
            else if (u < Millisecond)
            {
                // U+00B5 'µ' micro sign == 0xC2 0xB5; need room for two bytes.
                precision = 3;
                w--;
                buffer[w] = 0xC2;
                buffer[w + 1] = 0xB5;
            }
            else
            {
                precision = 6;
                buffer[w] = (byte)'m';
            }

            (w, u) = FormatFraction(buffer, w, u, precision);
            w = FormatInteger(buffer, w, u);
        }
        else
        {
            w--;
            buffer[w] = (byte)'s';
            (w, u) = FormatFraction(buffer, w, u, 9);

            // u is now integer seconds
            w = FormatInteger(buffer, w, u % 60);
            u /= 60;

            // u is now integer minutes
            if (u > 0)
            {
                w--;
                buffer[w] = (byte)'m';
                w = FormatInteger(buffer, w, u % 60);
                u /= 60;

                // u is now integer hours; stop at hours because days can be different lengths.
                if (u > 0)
                {
                    w--;
                    buffer[w] = (byte)'h';
                    w = FormatInteger(buffer, w, u);
                }
            }
        }

        if (negative)
        {
            w--;
            buffer[w] = (byte)'-';
        }

        return Encoding.UTF8.GetString(buffer, w, buffer.Length - w);
    }

    // fmtFrac: formats the fraction of v/10**prec (e.g. ".12345") into the tail of buf[:w], omitting trailing
    // zeros, and the decimal point too when the fraction is 0. Returns the new start and v/10**prec.
    private static (int W, ulong V) FormatFraction(byte[] buffer, int w, ulong v, int precision)
    {
        bool print = false;
        for (int i = 0; i < precision; i++)
        {
            ulong digit = v % 10;
            print = print || digit != 0;
            if (print)
            {
                w--;
                buffer[w] = (byte)(digit + '0');
            }

            v /= 10;
        }

        if (print)
        {
            w--;
            buffer[w] = (byte)'.';
        }

        return (w, v);
    }

    // fmtInt: formats v into the tail of buf[:w]; returns the index where the output begins.
    private static int FormatInteger(byte[] buffer, int w, ulong v)
    {
        if (v == 0)
        {
            w--;
            buffer[w] = (byte)'0';
            return w;
        }

        while (v > 0)
        {
            w--;
            buffer[w] = (byte)((v % 10) + '0');
            v /= 10;
        }

        return w;
    }
}
