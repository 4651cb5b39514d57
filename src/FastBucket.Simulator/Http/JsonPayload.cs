using System.Buffers;
using System.Text.Json;

namespace FastBucket.Simulator.Http;

/// <summary>Serializes a response body with a <see cref="Utf8JsonWriter"/>.</summary>
internal static class JsonPayload
{
    public static byte[] Write<TState>(TState state, Action<Utf8JsonWriter, TState> write)
    {
        var buffer = new ArrayBufferWriter<byte>(512);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            write(writer, state);
        }

        return buffer.WrittenSpan.ToArray();
    }
}
