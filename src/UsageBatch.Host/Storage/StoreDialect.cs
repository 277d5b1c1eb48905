using UsageBatch.Usage;
using UsageBatch.Billing;

namespace UsageBatch.Storage;

/// <summary>
/// What truly differs between the embedded SQLite database and SQL Server, and nothing else (the shape Quartz.NET's
/// ADO job store has: one store, a small delegate per database): the statements (<see cref="Sql"/>), the value codec
/// (in each dialect's <see cref="StoreSession"/>), the write scope, the run guard, the schema, and the plan a whole
/// run's claim and settle follow. Every algorithm is in <see cref="BillingStore"/>, once.
/// </summary>
internal abstract class StoreDialect : IAsyncDisposable
{
    /// <summary>"sqlite" or "sqlserver": the folder of its scripts under sql/.</summary>
    public abstract string Name { get; }

    public abstract Statements Sql { get; }

    /// <summary>Rows one write statement may move for a job's batchSize (SQL Server: under lock escalation).</summary>
    public abstract int RowsPerStatement(int batchSize);

    /// <summary>Rows per statement where no job setting applies (holding re-queued rows, receipts, requeue).</summary>
    public abstract int MaxRowsPerStatement { get; }

    /// <summary>An open session for reads and for a loop of short transactions (<see cref="StoreSession.InTransactionAsync{T}"/>).</summary>
    public abstract Task<StoreSession> OpenAsync(CancellationToken cancellationToken);

    /// <summary>One short write transaction: <paramref name="work"/> runs in it and it commits (SQL Server reruns it after a deadlock).</summary>
    public virtual async Task<T> WriteAsync<T>(Func<StoreSession, Task<T>> work, CancellationToken cancellationToken)
    {
        await using var session = await OpenAsync(cancellationToken);
        return await session.InTransactionAsync(() => work(session), cancellationToken);
    }

    // Schema
    /// <summary>Makes sure the schema is usable before a run (SQLite creates or upgrades its own file; SQL Server only checks); its version.</summary>
    public abstract Task<int> EnsureSchemaAsync(CancellationToken cancellationToken);

    public abstract Task<int> ApplySchemaAsync(CancellationToken cancellationToken);

    /// <summary>The highest schema version applied, 0 when there is none; reads only.</summary>
    public abstract Task<int> SchemaVersionAsync(CancellationToken cancellationToken);

    // The run guard: one run per job at a time (a lease row on SQLite, a session app lock on SQL Server).
    public abstract Task<bool> TryAcquireGuardAsync(string job, long runId, TimeSpan lease, CancellationToken cancellationToken);

    public abstract Task<long?> GuardHolderAsync(string job, CancellationToken cancellationToken);

    public abstract Task ReleaseGuardAsync(string job, long runId, CancellationToken cancellationToken);

    public abstract Task RenewGuardAsync(string job, long runId, TimeSpan lease, CancellationToken cancellationToken);

    /// <summary>
    /// Serializes, until the transaction ends, every claim deciding a group of this (account, customer): the cap
    /// count and the usage dates it reads must not be read by two runs at once and both pass. SQLite has one writer
    /// at a time already; SQL Server takes a transaction-owned app lock (its reads may be versioned under
    /// READ_COMMITTED_SNAPSHOT, and locks on rows that do not exist yet protect nothing).
    /// </summary>
    public virtual Task LockGroupFactsAsync(StoreSession session, string account, string customer, CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>Fills the staging table <see cref="Statements.CreateRejectStage"/> made (SQL Server: a bulk copy).</summary>
    public abstract Task StageRejectionsAsync(StoreSession session, IReadOnlyList<RowRejection> rejections, CancellationToken cancellationToken);

    /// <summary>How this database claims and settles a whole run best (same outcome whichever).</summary>
    public abstract RunPlan CreatePlan(BillingStore store);

    public virtual ValueTask DisposeAsync() => ValueTask.CompletedTask;
}

/// <summary>
/// A whole run's claim and settle. Every plan has the same outcome: each listed group gets a 'preparing' ledger row
/// first, only rows still 'pending' are claimed, each ledger row is decided from the rows actually claimed, and the
/// rows of confirmed submissions follow their ledger row. Plans differ in the order they touch rows.
/// </summary>
internal abstract class RunPlan
{
    /// <summary>Claims and prepares every listed group; groups nobody's rows remained for are left out.</summary>
    public abstract Task<IReadOnlyList<(ClaimedGroup Claimed, GroupDecision Decision)>> ClaimGroupsAsync(
        ClaimRequest template, IReadOnlyList<PendingGroup> groups, string bucket, Func<ClaimedGroup, GroupFacts, GroupDecision> decide,
        CancellationToken cancellationToken);

    /// <summary>Settles the rows of the run's confirmed submissions of <paramref name="table"/> whose rows are not yet settled.</summary>
    public abstract Task<int> SettleConfirmedAsync(UsageTable table, long runId, int batchSize, DateTimeOffset now, CancellationToken cancellationToken);
}
