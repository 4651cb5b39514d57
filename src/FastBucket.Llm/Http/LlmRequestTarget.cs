using System.Text.Json;
using FastBucket.Providers;

namespace FastBucket.Http;

/// <summary>Which provider and model a request is for, read from its URL and body without parsing the whole body.</summary>
internal static class LlmRequestTarget
{
    /// <summary>The model named in the URL (Gemini <c>/models/{model}:...</c>, Azure <c>/deployments/{name}/...</c>) or in the body's top-level <c>model</c>.</summary>
    internal static string? ReadModel(Uri? uri, ReadOnlySpan<byte> body)
    {
        if (uri is not null && FromPath(uri.AbsolutePath) is { } fromPath)
        {
            return fromPath;
        }

        return FromBody(body);
    }

    /// <summary>Whether the response will be a stream: a streaming Gemini URL, or <c>"stream": true</c> in the body.</summary>
    internal static bool IsStreamingPath(Uri? uri) =>
        uri?.AbsolutePath.Contains(":streamGenerateContent", StringComparison.Ordinal) == true;

    private static string? FromPath(string path)
    {
        int models = path.IndexOf("/models/", StringComparison.Ordinal);
        if (models >= 0)
        {
            var rest = path.AsSpan(models + "/models/".Length);
            int end = rest.IndexOfAny(':', '/');
            return end > 0 ? rest[..end].ToString() : null;
        }

        int deployments = path.IndexOf("/deployments/", StringComparison.Ordinal);
        if (deployments >= 0)
        {
            var rest = path.AsSpan(deployments + "/deployments/".Length);
            int end = rest.IndexOf('/');
            return end > 0 ? rest[..end].ToString() : null;
        }

        return null;
    }

    private static string? FromBody(ReadOnlySpan<byte> body)
    {
        try
        {
            var reader = new Utf8JsonReader(body, new JsonReaderOptions { AllowTrailingCommas = true, CommentHandling = JsonCommentHandling.Skip });
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return null;
            }

            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                bool isModel = reader.ValueTextEquals("model"u8);
                reader.Read();
                if (isModel)
                {
                    return reader.TokenType == JsonTokenType.String ? reader.GetString() : null;
                }

                reader.Skip();
            }
        }
        catch (JsonException)
        {
            // Not JSON: the estimator charges a fallback, and the quota key uses the provider alone.
        }

        return null;
    }

    internal static LlmProvider Provider(LlmProvider? configured, Uri? uri) =>
        configured ?? (uri is null ? LlmProvider.Generic : LlmProviderDetector.FromBaseAddress(uri));
}
