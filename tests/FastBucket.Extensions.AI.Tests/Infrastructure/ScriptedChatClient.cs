using System.Runtime.CompilerServices;
using Microsoft.Extensions.AI;

namespace FastBucket.Extensions.AI.Tests.Infrastructure;

/// <summary>An inner chat client whose answers the test writes: a response, a list of updates, or an exception.</summary>
internal sealed class ScriptedChatClient : IChatClient
{
    public ChatClientMetadata Metadata { get; init; } = new("openai", new Uri("https://api.openai.com/v1"), "gpt-4o-mini");

    public Func<ChatResponse>? Respond { get; init; }

    public IReadOnlyList<ChatResponseUpdate> Updates { get; init; } = [];

    /// <summary>Thrown by the stream after this many updates (or by <see cref="GetResponseAsync"/> when set and no updates).</summary>
    public Exception? Throw { get; init; }

    public int ThrowAfterUpdates { get; init; } = int.MaxValue;

    public int Calls { get; private set; }

    public Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        Calls++;
        cancellationToken.ThrowIfCancellationRequested();
        return Throw is { } error ? Task.FromException<ChatResponse>(error) : Task.FromResult(Respond!());
    }

    public async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(
        IEnumerable<ChatMessage> messages, ChatOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        Calls++;
        await Task.Yield();
        for (int i = 0; i < Updates.Count; i++)
        {
            if (i == ThrowAfterUpdates && Throw is { } error)
            {
                throw error;
            }

            cancellationToken.ThrowIfCancellationRequested();
            yield return Updates[i];
        }

        if (Throw is { } late && ThrowAfterUpdates >= Updates.Count)
        {
            throw late;
        }
    }

    public object? GetService(Type serviceType, object? serviceKey = null) =>
        serviceType == typeof(ChatClientMetadata) ? Metadata : serviceType.IsInstanceOfType(this) ? this : null;

    public void Dispose()
    {
    }
}
