using System.Text.Json;

namespace FastBucket.Estimation;

/// <summary>Reads how many output tokens a request may produce: its per-choice limit times its number of choices.</summary>
internal static class OutputReservation
{
    /// <summary>The most choices one request can ask for (OpenAI's limit on <c>n</c>).</summary>
    internal const int MaxChoices = 128;

    /// <summary>
    /// The reservation: the first of <paramref name="limitNames"/> that holds a non-negative whole number (else
    /// <paramref name="defaultPerChoice"/>), times <paramref name="choicesName"/> (else 1), capped at
    /// <see cref="TokenEstimatorOptions.MaxOutputTokens"/>. Values that are not whole numbers are ignored.
    /// </summary>
    public static long Read(JsonElement holder, int defaultPerChoice, string? choicesName, params ReadOnlySpan<string> limitNames)
    {
        long perChoice = defaultPerChoice;
        if (holder.ValueKind == JsonValueKind.Object)
        {
            foreach (string name in limitNames)
            {
                if (TryReadWholeNumber(holder, name, out long limit) && limit >= 0)
                {
                    perChoice = Math.Min(limit, TokenEstimatorOptions.MaxOutputTokens);
                    break;
                }
            }
        }

        long choices = 1;
        if (choicesName is not null && TryReadWholeNumber(holder, choicesName, out long n) && n >= 1)
        {
            choices = Math.Min(n, MaxChoices);
        }

        return Math.Min(perChoice * choices, TokenEstimatorOptions.MaxOutputTokens);
    }

    /// <summary>Reads a property that holds a whole number (<c>5</c> or <c>5.0</c>); false for anything else.</summary>
    public static bool TryReadWholeNumber(JsonElement holder, string name, out long value)
    {
        value = 0;
        if (holder.ValueKind != JsonValueKind.Object
            || !holder.TryGetProperty(name, out JsonElement element)
            || element.ValueKind != JsonValueKind.Number)
        {
            return false;
        }

        if (element.TryGetInt64(out value))
        {
            return true;
        }

        if (element.TryGetDouble(out double d) && double.IsFinite(d) && d == Math.Floor(d) && Math.Abs(d) < long.MaxValue)
        {
            value = (long)d;
            return true;
        }

        return false;
    }
}
