using FastBucket.Simulator.Http;

namespace FastBucket.Simulator.Providers.OpenRouter;

/// <summary>
/// <c>GET /api/v1/key</c>: the key's credit and usage, shaped like OpenRouter's answer. The simulator has no
/// credits: limit and remaining are null (unlimited), usage is 0, and the deprecated <c>rate_limit</c> says -1.
/// </summary>
internal static class KeyInfoEndpoint
{
    public static byte[] Body(string keyFingerprint) => JsonPayload.Write(keyFingerprint, static (writer, label) =>
    {
        writer.WriteStartObject();
        writer.WriteStartObject("data");
        writer.WriteString("label", "sk-or-v1-..." + label[^3..]);
        writer.WriteNull("limit");
        writer.WriteNull("limit_remaining");
        writer.WriteNull("limit_reset");
        writer.WriteNumber("usage", 0);
        writer.WriteNumber("usage_daily", 0);
        writer.WriteNumber("usage_weekly", 0);
        writer.WriteNumber("usage_monthly", 0);
        writer.WriteNumber("byok_usage", 0);
        writer.WriteNumber("byok_usage_daily", 0);
        writer.WriteNumber("byok_usage_weekly", 0);
        writer.WriteNumber("byok_usage_monthly", 0);
        writer.WriteBoolean("include_byok_in_limit", false);
        writer.WriteBoolean("is_free_tier", false);
        writer.WriteBoolean("is_provisioning_key", false);
        writer.WriteBoolean("is_management_key", false);
        writer.WriteNull("expires_at");
        writer.WriteStartObject("rate_limit");
        writer.WriteNumber("requests", -1);
        writer.WriteString("interval", "10s");
        writer.WriteString("note", "This field is deprecated and safe to ignore.");
        writer.WriteEndObject();
        writer.WriteEndObject();
        writer.WriteEndObject();
    });
}
