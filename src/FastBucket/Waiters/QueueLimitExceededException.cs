namespace FastBucket;

/// <summary>
/// An async acquire was refused at once because the limiter's wait queue is at its configured limit
/// (waiters or queued tokens).
/// </summary>
public sealed class QueueLimitExceededException : InvalidOperationException
{
    /// <summary>Creates the exception with a message.</summary>
    public QueueLimitExceededException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a default message.</summary>
    public QueueLimitExceededException()
        : base("The wait queue is full.")
    {
    }

    /// <summary>Creates the exception with a message and an inner exception.</summary>
    public QueueLimitExceededException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
