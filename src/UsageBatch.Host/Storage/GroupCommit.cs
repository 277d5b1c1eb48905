using System.Diagnostics;

namespace UsageBatch.Storage;

/// <summary>
/// Small ledger writes that arrive while one is being committed share the next transaction (a group commit). Each
/// caller still waits for its own write to be committed before it goes on, so what a write promises (the ledger row
/// says 'sent' before the request; the outcome is on the ledger before the rows) is exactly as without it. What
/// changes is the number of commits: on SQLite every commit appends each page it dirtied to the WAL, and a mark-sent
/// or an outcome dirties five or six pages for one small row, so the senders' thousands of one-row transactions were
/// the send phase's database time. On SQL Server it saves a log flush per write.
/// <para>
/// A write must be only database work (it can run twice: when a shared transaction fails, it is rolled back whole
/// and every write in it runs again alone, so one bad write fails only its own caller).
/// </para>
/// </summary>
internal sealed class GroupCommit(StoreDialect dialect)
{
    /// <summary>Writes per shared transaction at most: keeps one transaction short whatever the queue.</summary>
    internal const int MaxWritesPerCommit = 64;

    /// <summary>
    /// How long a commit waits for company once writers have shown they are concurrent (PostgreSQL's commit_delay
    /// with commit_siblings, in spirit): a lone writer never waits, and a writer among many waits at most this.
    /// </summary>
    internal static readonly TimeSpan Linger = TimeSpan.FromMilliseconds(2);

    private int _lastBatch;
    private readonly Lock _gate = new();
    private List<IQueuedWrite> _queue = [];
    private bool _committing;

    /// <summary>Commits fewer than <see cref="Writes"/> means writes shared a transaction (tests and the benchmark read these).</summary>
    public long Commits => Interlocked.Read(ref _commits);

    public long Writes => Interlocked.Read(ref _writes);

    /// <summary>Time spent in this queue's transactions (one at a time): the database time of these writes, without the waits for them.</summary>
    public TimeSpan Busy => TimeSpan.FromTicks(Interlocked.Read(ref _busyTicks));

    /// <summary>Time the committer spent waiting for company (no caller's time is counted twice: it is the committer's).</summary>
    public TimeSpan Lingered => TimeSpan.FromTicks(Interlocked.Read(ref _lingeredTicks));

    private int Queued
    {
        get
        {
            lock (_gate)
            {
                return _queue.Count;
            }
        }
    }

    private long _commits;
    private long _writes;
    private long _busyTicks;
    private long _lingeredTicks;

    public Task<T> WriteAsync<T>(Func<StoreSession, Task<T>> work, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var write = new QueuedWrite<T>(work);
        bool startCommitter;
        lock (_gate)
        {
            _queue.Add(write);
            startCommitter = !_committing;
            _committing = true;
        }

        if (startCommitter)
        {
            // Its own task: no caller waits for writes queued after its own.
            _ = Task.Run(CommitQueuedAsync, CancellationToken.None);
        }

        return write.Task;
    }

    private async Task CommitQueuedAsync()
    {
        while (true)
        {
            if (Volatile.Read(ref _lastBatch) > 1 && Queued < MaxWritesPerCommit)
            {
                // Writers are concurrent (the last commit was shared): give the others a moment to join this one.
                var waitedFrom = Stopwatch.GetTimestamp();
                await Task.Delay(Linger, CancellationToken.None);
                Interlocked.Add(ref _lingeredTicks, Stopwatch.GetElapsedTime(waitedFrom).Ticks);
            }

            List<IQueuedWrite> batch;
            lock (_gate)
            {
                if (_queue.Count == 0)
                {
                    _committing = false;
                    return;
                }

                batch = _queue.Count <= MaxWritesPerCommit ? _queue : _queue[..MaxWritesPerCommit];
                _queue = _queue.Count <= MaxWritesPerCommit ? [] : _queue[MaxWritesPerCommit..];
            }

            Volatile.Write(ref _lastBatch, batch.Count);

            var start = Stopwatch.GetTimestamp();
            await CommitAsync(batch);
            Interlocked.Add(ref _busyTicks, Stopwatch.GetElapsedTime(start).Ticks);
        }
    }

    private async Task CommitAsync(List<IQueuedWrite> batch)
    {
        if (batch.Count > 1 && await TryTogetherAsync(batch))
        {
            return;
        }

        foreach (var write in batch)
        {
            try
            {
                await dialect.WriteAsync(async session => { await write.RunAsync(session); return 0; }, CancellationToken.None);
                Counted(1);
                write.Committed();
            }
            catch (Exception ex)
            {
                write.Failed(ex);
            }
        }
    }

    private async Task<bool> TryTogetherAsync(List<IQueuedWrite> batch)
    {
        try
        {
            await dialect.WriteAsync(async session =>
            {
                foreach (var write in batch)
                {
                    await write.RunAsync(session);
                }

                return 0;
            }, CancellationToken.None);
        }
        catch (Exception)
        {
            // Rolled back whole: each runs again alone, and only the one at fault fails. Nothing may escape the
            // committer, or the writes queued behind it would wait for an answer that never comes.
            return false;
        }

        Counted(batch.Count);
        foreach (var write in batch)
        {
            write.Committed();
        }

        return true;
    }

    private void Counted(int writes)
    {
        Interlocked.Increment(ref _commits);
        Interlocked.Add(ref _writes, writes);
    }

    private interface IQueuedWrite
    {
        Task RunAsync(StoreSession session);

        void Committed();

        void Failed(Exception exception);
    }

    private sealed class QueuedWrite<T>(Func<StoreSession, Task<T>> work) : IQueuedWrite
    {
        private readonly TaskCompletionSource<T> _done = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private T _result = default!;

        public Task<T> Task => _done.Task;

        // The result of the last run: a run inside a transaction that rolled back is replaced by the next.
        public async Task RunAsync(StoreSession session) => _result = await work(session);

        public void Committed() => _done.TrySetResult(_result);

        public void Failed(Exception exception) => _done.TrySetException(exception);
    }
}
