using System.Diagnostics;

namespace UsageBatch.Billing;

/// <summary>The parts of a run whose time the benchmark splits out (tests/UsageBatch.Benchmarks).</summary>
internal enum RunPhase
{
    /// <summary>Recover: adopting and finishing what dead runs left.</summary>
    Recover,

    /// <summary>Validate: streaming the pending rows through the validator and rejecting the bad ones.</summary>
    Validate,

    /// <summary>Claim and prepare: the aggregate, then one ledger row per group with its rows claimed and linked.</summary>
    ClaimPrepare,

    /// <summary>Send, database side: marking each ledger row 'sent' before its request (summed over the workers).</summary>
    MarkSent,

    /// <summary>Provider calls (summed over the workers in flight).</summary>
    Provider,

    /// <summary>Settle: the outcome on the ledger row, then its rows (summed over the workers).</summary>
    Settle,

    /// <summary>The whole send-and-settle phase, wall clock.</summary>
    SendWall,
}

/// <summary>
/// Optional Stopwatch splits of one run (<see cref="RunOptions.Timings"/>). Null in production, where a split
/// costs one null check; the benchmark passes an instance. Thread-safe: senders in flight add concurrently.
/// </summary>
internal sealed class RunTimings
{
    private readonly long[] _ticks = new long[Enum.GetValues<RunPhase>().Length];

    public TimeSpan this[RunPhase phase] => Stopwatch.GetElapsedTime(0, Interlocked.Read(ref _ticks[(int)phase]));

    /// <summary>Starts a split that adds to <paramref name="phase"/> when disposed; free when <paramref name="timings"/> is null.</summary>
    public static Split Measure(RunTimings? timings, RunPhase phase) =>
        timings is null ? default : new Split(timings, phase, Stopwatch.GetTimestamp());

    private void Add(RunPhase phase, long elapsed) => Interlocked.Add(ref _ticks[(int)phase], elapsed);

    internal readonly struct Split : IDisposable
    {
        private readonly RunTimings? _timings;
        private readonly RunPhase _phase;
        private readonly long _start;

        internal Split(RunTimings timings, RunPhase phase, long start)
        {
            _timings = timings;
            _phase = phase;
            _start = start;
        }

        public void Dispose() => _timings?.Add(_phase, Stopwatch.GetTimestamp() - _start);
    }
}
