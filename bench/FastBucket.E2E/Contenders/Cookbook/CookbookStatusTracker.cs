namespace FastBucket.E2E.Contenders.Cookbook;

/// <summary>
/// The script's <c>StatusTracker</c> dataclass ("stores metadata about the script's progress"). Fields, because the
/// request tasks update them with Interlocked where asyncio needed nothing.
/// </summary>
internal sealed class CookbookStatusTracker
{
#pragma warning disable CA1051 // Interlocked needs fields.
    public int NumTasksStarted;
    public int NumTasksInProgress; // script ends when this reaches 0
    public int NumTasksSucceeded;
    public int NumTasksFailed;
    public int NumRateLimitErrors;
    public int NumApiErrors; // excluding rate limit errors, counted above
    public int NumOtherErrors;
    public int NumPauses; // not in the Python (it logs a warning instead): how many times the loop paused to cool down
#pragma warning restore CA1051

    // time_of_last_rate_limit_error: int = 0  # used to cool off after hitting rate limits
    // (0 is 1970 for time.time(); on a monotonic clock "long ago" is minus infinity).
    private double _timeOfLastRateLimitError = double.NegativeInfinity;

    public double TimeOfLastRateLimitError
    {
        get => Volatile.Read(ref _timeOfLastRateLimitError);
        set => Volatile.Write(ref _timeOfLastRateLimitError, value);
    }
}
