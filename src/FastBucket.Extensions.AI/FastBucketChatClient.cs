using System.Runtime.CompilerServices;
using FastBucket.Estimation;
using FastBucket.Quotas;
using Microsoft.Extensions.AI;

namespace FastBucket.Extensions.AI;

/// <summary>
/// An <see cref="IChatClient"/> middleware that runs each call within its provider's limits: it estimates the call
/// from its messages, tools and <see cref="ChatOptions.MaxOutputTokens"/> with the library's token estimator,
/// reserves that on the quota of the inner client's provider and model (<see cref="ChatClientMetadata"/>, or
/// <see cref="ChatOptions.ModelId"/>), waiting in FIFO order for room, and reconciles the reservation with
/// <see cref="ChatResponse.Usage"/>, or, when streaming, with the <see cref="UsageContent"/> in the updates.
/// </summary>
/// <remarks>
/// <para>
/// A 429 seen through the inner client's exception (the OpenAI SDK's <c>ClientResultException</c>, or an
/// <see cref="HttpRequestException"/> with a status) gives the reservation back and holds the quota closed for the
/// provider's wait, read from the error's headers and body where the exception carries them; the exception still
/// reaches the caller. Any other failure before a response keeps the request and gives the tokens back. A call
/// that reports no usage keeps its whole charge. A stream cut short (the caller stopped reading or canceled, or
/// the stream broke) is charged the estimated input and the output tokens it delivered; output never sent is given
/// back. Streaming OpenAI calls report usage only when the inner client asks for it (M.E.AI's OpenAI client does).
/// </para>
/// <para>Add it with <c>ChatClientBuilder.UseFastBucket</c>.</para>
/// </remarks>
public sealed class FastBucketChatClient : DelegatingChatClient
{
    private readonly AIQuotaGate _gate;
    private readonly string? _defaultModel;

    /// <summary>Creates the middleware around <paramref name="innerClient"/>.</summary>
    /// <param name="innerClient">The client that calls the provider.</param>
    /// <param name="options">Where quotas come from and which provider this is; <see langword="null"/> for defaults.</param>
    public FastBucketChatClient(IChatClient innerClient, FastBucketAIOptions? options = null)
        : this(innerClient, options, services: null)
    {
    }

    internal FastBucketChatClient(IChatClient innerClient, FastBucketAIOptions? options, IServiceProvider? services)
        : base(innerClient)
    {
        var metadata = innerClient.GetService<ChatClientMetadata>();
        _defaultModel = metadata?.DefaultModelId;
        _gate = new AIQuotaGate(options, services, AIQuotaTarget.Provider(options?.Provider, metadata?.ProviderUri, metadata?.ProviderName));
    }

    /// <summary>The quotas this client draws on.</summary>
    public QuotaRegistry Quotas => _gate.Quotas;

    /// <inheritdoc/>
    public override async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(messages);
        var call = await ReserveAsync(messages, options, cancellationToken).ConfigureAwait(false);
        ChatResponse response;
        try
        {
            response = await base.GetResponseAsync(messages, options, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            call.Failed(ex);
            throw;
        }

        call.Succeeded(response.Usage);
        return response;
    }

    /// <inheritdoc/>
    public override async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(
        IEnumerable<ChatMessage> messages, ChatOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(messages);
        var call = await ReserveAsync(messages, options, cancellationToken).ConfigureAwait(false);
        var counter = TiktokenEncodings.Get(TiktokenEncoding.O200kBase);
        UsageDetails? usage = null;
        long outputReceived = 0;
        bool receivedAny = false;
        IAsyncEnumerator<ChatResponseUpdate>? updates = null;
        try
        {
            while (true)
            {
                try
                {
                    updates ??= base.GetStreamingResponseAsync(messages, options, cancellationToken).GetAsyncEnumerator(cancellationToken);
                    if (!await updates.MoveNextAsync().ConfigureAwait(false))
                    {
                        break;
                    }
                }
                catch (Exception ex) when (!receivedAny)
                {
                    call.Failed(ex);
                    throw;
                }

                receivedAny = true;
                var update = updates.Current;
                foreach (var content in update.Contents)
                {
                    switch (content)
                    {
                        case UsageContent { Details: { } details }:
                            usage ??= new UsageDetails();
                            usage.Add(details);
                            break;
                        case TextContent { Text: { Length: > 0 } text }:
                            outputReceived += counter.Count(text);
                            break;
                        case TextReasoningContent { Text: { Length: > 0 } reasoning }:
                            outputReceived += counter.Count(reasoning);
                            break;
                    }
                }

                yield return update;
            }

            call.Succeeded(usage);
        }
        finally
        {
            if (updates is not null)
            {
                await updates.DisposeAsync().ConfigureAwait(false);
            }

            // Still open: the caller stopped reading, or the stream broke after it had begun.
            if (!call.IsEnded)
            {
                if (AIQuotaCall.ToTokenUsage(usage) is not null)
                {
                    call.Succeeded(usage);
                }
                else
                {
                    call.CutShort(outputReceived);
                }
            }
        }
    }

    /// <inheritdoc/>
    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _gate.Dispose();
        }

        base.Dispose(disposing);
    }

    private ValueTask<AIQuotaCall> ReserveAsync(IEnumerable<ChatMessage> messages, ChatOptions? options, CancellationToken cancellationToken)
    {
        string model = AIQuotaTarget.Model(options?.ModelId, _defaultModel);
        var body = ChatRequestJson.Write(_gate.Provider, model == AIQuotaTarget.UnknownModel ? null : model, messages, options);
        return _gate.ReserveAsync(model, body, cancellationToken);
    }
}
