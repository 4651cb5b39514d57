namespace FastBucket.Catalog;

/// <summary>
/// A limits catalog (a file, the embedded table, configuration or options) could not be read. The message names
/// where (the file or configuration path), which entry, and the offending value.
/// </summary>
public sealed class LimitsCatalogException : Exception
{
    /// <summary>Creates an exception with a generic message.</summary>
    public LimitsCatalogException()
        : base("The limits catalog could not be read.")
    {
    }

    /// <summary>Creates an exception with a message.</summary>
    /// <param name="message">What is wrong, and where.</param>
    public LimitsCatalogException(string message)
        : base(message)
    {
    }

    /// <summary>Creates an exception with a message and the error that caused it.</summary>
    /// <param name="message">What is wrong, and where.</param>
    /// <param name="innerException">The underlying error (I/O, JSON syntax, configuration binding).</param>
    public LimitsCatalogException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates an exception about one place of one catalog.</summary>
    /// <param name="origin">The file path, configuration path or "embedded" catalog the error is in.</param>
    /// <param name="entryIndex">The zero-based index of the offending entry, if the error is in one.</param>
    /// <param name="message">What is wrong, and where.</param>
    /// <param name="innerException">The underlying error, if any.</param>
    public LimitsCatalogException(string origin, int? entryIndex, string message, Exception? innerException = null)
        : base(message, innerException)
    {
        Origin = origin;
        EntryIndex = entryIndex;
    }

    /// <summary>The file path, configuration path or "embedded" catalog the error is in, when known.</summary>
    public string? Origin { get; }

    /// <summary>The zero-based index of the offending entry, when the error is in one.</summary>
    public int? EntryIndex { get; }
}
