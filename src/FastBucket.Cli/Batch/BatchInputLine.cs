namespace FastBucket.Cli.Batch;

/// <summary>One line of a batch input file, parsed: a request to send, or the reason it cannot be sent.</summary>
/// <param name="LineNumber">The 1-based line number in the input file.</param>
/// <param name="CustomId">The caller's id: the line's <c>custom_id</c>, else its line number.</param>
/// <param name="Method">The HTTP method (POST unless the line says otherwise).</param>
/// <param name="Url">The path (and query) the line names, or <see langword="null"/> for the provider's default endpoint.</param>
/// <param name="Body">The request body as JSON text; <see langword="null"/> when <paramref name="Error"/> is set.</param>
/// <param name="Error">Why the line cannot be sent, or <see langword="null"/>.</param>
internal sealed record BatchInputLine(long LineNumber, string CustomId, string Method, string? Url, string? Body, string? Error)
{
    /// <summary>The body's <c>model</c> (after <c>--model</c> filled it in), or <see langword="null"/>: Azure's deployment.</summary>
    public string? Model { get; init; }

    /// <summary>Whether the line can be sent.</summary>
    public bool IsValid => Error is null;
}
