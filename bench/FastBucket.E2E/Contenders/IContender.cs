using FastBucket.E2E.Measurement;
using FastBucket.E2E.Workload;

namespace FastBucket.E2E.Contenders;

/// <summary>One way of sending the workload to a rate-limited provider.</summary>
internal interface IContender
{
    /// <summary>Short name for tables and the command line.</summary>
    string Name { get; }

    /// <summary>Exactly what was wired, for the report.</summary>
    string Wiring { get; }

    /// <summary>
    /// Sends every request once to success or to giving up, calling <see cref="RunRecorder.Submitted"/> when the
    /// whole workload is handed over and <see cref="RunRecorder.Completed"/> once per request; every client it builds
    /// has a <see cref="RecordingHandler"/> just above the socket.
    /// </summary>
    /// <returns>Notes of the contender's own counters, for the report.</returns>
    Task<string> RunAsync(Uri root, IReadOnlyList<WorkloadRequest> requests, LimitShape limits, RunRecorder recorder, CancellationToken cancellationToken);
}
