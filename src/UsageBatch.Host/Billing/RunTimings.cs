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

    /// <summary>Send: marking each ledger row 'sent' before its request, waits for the shared commit included (summed over the workers).</summary>
    MarkSent,

    /// <summary>Provider calls (summed over the workers in flight).</summary>
    Provider,

    /// <summary>Settle: the outcome on the ledger row, then its rows (summed over the workers).</summary>
    Settle,

    /// <summary>Settle, database side: the rows of a submission not confirmed (held, rejected, released, void), one by one.</summary>
    SettleRows,

    /// <summary>The whole send-and-settle phase, wall clock.</summary>
    SendWall,

    /// <summary>
    /// Wall time in the send phase during which at least one sender was in the database on its own (the rows of a
    /// submission not confirmed). The mark-sent and outcome writes go through the ledger's group commit, whose
    /// transactions the store times itself (<see cref="Storage.GroupCommit.Busy"/>).
    /// </summary>
    SendDbBusy,

    /// <summary>The settle pass after the sends (SQLite: confirmed submissions' rows in id order), wall clock.</summary>
    SettlePass,
}

/// <summary>
/// Optional Stopwatch splits of one run (<see cref="RunOptions.Timings"/>). Null in production, where a split
/// costs one null check; the benchmark passes an instance. Thread-safe: senders in flight add concurrently.
/// </summary>
internal sealed class RunTimings
{
    private readonly long[] _ticks = new long[Enum.GetValues<RunPhase>().Length];
    private readonly Lock _busyGate = new();
    private int _busy;
    private long _busySince;

    public TimeSpan this[RunPhase phase]
    {
        get
        {
            lock (_busyGate)
            {
                return Stopwatch.GetElapsedTime(0, Interlocked.Read(ref _ticks[(int)phase]));
            }
        }
    }

    /// <summary>Starts a split that adds to <paramref name="phase"/> when disposed; free when <paramref name="timings"/> is null.</summary>
    public static Split Measure(RunTimings? timings, RunPhase phase) =>
        timings is null ? default : new Split(timings, phase, Stopwatch.GetTimestamp());

    /// <summary>Like <see cref="Measure"/>, and also counts the span into <see cref="RunPhase.SendDbBusy"/> (overlaps once).</summary>
    public static Split MeasureDb(RunTimings? timings, RunPhase phase)
    {
        if (timings is null)
        {
            return default;
        }

        var now = Stopwatch.GetTimestamp();
        lock (timings._busyGate)
        {
            if (timings._busy++ == 0)
            {
                timings._busySince = now;
            }
        }

        return new Split(timings, phase, now, busy: true);
    }

    private void Add(RunPhase phase, long elapsed) => Interlocked.Add(ref _ticks[(int)phase], elapsed);

    private void EndBusy(long now)
    {
        lock (_busyGate)
        {
            if (--_busy == 0)
            {
                _ticks[(int)RunPhase.SendDbBusy] += now - _busySince;
            }
        }
    }

    internal readonly struct Split : IDisposable
    {
        private readonly RunTimings? _timings;
        private readonly RunPhase _phase;
        private readonly long _start;
        private readonly bool _busy;

        internal Split(RunTimings timings, RunPhase phase, long start, bool busy = false)
        {
            _timings = timings;
            _phase = phase;
            _start = start;
            _busy = busy;
        }

        public void Dispose()
        {
            if (_timings is null)
            {
                return;
            }

            var now = Stopwatch.GetTimestamp();
            _timings.Add(_phase, now - _start);
            if (_busy)
            {
                _timings.EndBusy(now);
            }
        }
    }
}
