using UsageBatch.Billing;

namespace UsageBatch.Storage;

/// <summary>
/// Everything the job persists, written once over a <see cref="StoreDialect"/> (SQLite embedded; SQL Server in
/// production), and held to one set of contract tests run on both. Every method is one or a few short
/// transactions; what keeps racing runs apart is the claim, which only ever moves rows still 'pending'.
/// Split by phase: runs and the guard here; validation, claims, ledger, requeue, reports and console in the other files.
/// </summary>
internal sealed partial class BillingStore : IBillingStore, IReportStore, IRequeueStore, IConsoleStore, IAsyncDisposable
{
    private readonly StoreDialect _dialect;
    private readonly RunPlan _plan;

    /// <summary>The senders' mark-sent and outcome writes: concurrent ones share a transaction.</summary>
    private readonly GroupCommit _ledgerWrites;

    public BillingStore(StoreDialect dialect)
    {
        _dialect = dialect;
        _plan = dialect.CreatePlan(this);
        _ledgerWrites = new GroupCommit(dialect);
    }

    internal GroupCommit LedgerWrites => _ledgerWrites;

    public string Dialect => _dialect.Name;

    internal StoreDialect Database => _dialect;

    private Statements Sql => _dialect.Sql;

    public Task<int> EnsureSchemaAsync(CancellationToken cancellationToken) => _dialect.EnsureSchemaAsync(cancellationToken);

    public Task<int> ApplySchemaAsync(CancellationToken cancellationToken) => _dialect.ApplySchemaAsync(cancellationToken);

    public Task<string> GetUsageIdPrefixAsync(DateTimeOffset now, CancellationToken cancellationToken) =>
        _dialect.WriteAsync(async session =>
        {
            var prefix = await session.ScalarAsync<string>(Sql.UsageIdPrefix, null, cancellationToken);
            if (prefix is null)
            {
                var installation = Guid.NewGuid();
                // "ub" + 10 hex digits of the installation: short, unique per database, stable forever.
                prefix = "ub" + installation.ToString("N")[..10] + "-";
                await session.ExecuteAsync(Sql.InsertInstallation,
                    new { Id = Arg.Ansi(installation.ToString(), 36), Prefix = Arg.Ansi(prefix, 20), Now = now }, cancellationToken);
            }

            return prefix;
        }, cancellationToken);

    public async Task<long> StartRunAsync(RunRecord run, CancellationToken cancellationToken)
    {
        await using var session = await _dialect.OpenAsync(cancellationToken);
        return await session.ScalarAsync<long>(Sql.StartRun, new
        {
            run.Job, run.ProviderAccount, UsageTable = Arg.Ansi(run.UsageTable, 50), run.DryRun, run.ScheduledAt, run.Cutoff, run.StartedAt,
            LeaseMs = Arg.Milliseconds(run.Lease), run.Host, run.ProcessId, ProcessStart = Arg.Ansi(run.ProcessStart, 100),
        }, cancellationToken);
    }

    public Task<bool> TryAcquireJobLockAsync(string job, long runId, TimeSpan lease, CancellationToken cancellationToken) =>
        _dialect.TryAcquireGuardAsync(job, runId, lease, cancellationToken);

    public Task<long?> JobLockHolderAsync(string job, CancellationToken cancellationToken) =>
        _dialect.GuardHolderAsync(job, cancellationToken);

    public Task ReleaseJobLockAsync(string job, long runId, CancellationToken cancellationToken) =>
        _dialect.ReleaseGuardAsync(job, runId, cancellationToken);

    public async Task<bool> RenewLeaseAsync(long runId, string job, TimeSpan lease, CancellationToken cancellationToken)
    {
        // Only a run still 'running' may renew: once another run declared it dead and adopted its work, it must stop.
        var renewed = await _dialect.WriteAsync(session => session.ScalarAsync<int>(Sql.RenewRunLease, new { RunId = runId, LeaseMs = Arg.Milliseconds(lease) }, cancellationToken), cancellationToken);
        await _dialect.RenewGuardAsync(job, runId, lease, cancellationToken);
        return renewed == 1;
    }

    public Task FinishRunAsync(long runId, RunOutcome outcome, int exitCode, string? message, string summaryJson, DateTimeOffset now, CancellationToken cancellationToken) =>
        _dialect.WriteAsync(session => session.ExecuteAsync(Sql.FinishRun,
            new { RunId = runId, Status = Arg.Ansi(RunOutcomeText.ToText(outcome), 10), ExitCode = exitCode, Message = message, Summary = summaryJson, Now = now }, cancellationToken), cancellationToken);

    public async Task<string?> RunStatusAsync(long runId, CancellationToken cancellationToken)
    {
        await using var session = await _dialect.OpenAsync(cancellationToken);
        return await session.ScalarAsync<string>(Sql.RunStatus, new { RunId = runId }, cancellationToken);
    }

    public async Task<IReadOnlyList<RunningRun>> RunningRunsAsync(CancellationToken cancellationToken)
    {
        await using var session = await _dialect.OpenAsync(cancellationToken);
        return await session.QueryAsync(Sql.RunningRuns, null,
            r => new RunningRun(r.Long(0), r.String(1), r.String(2), r.Int(3), r.TextOrNull(4), r.Time(5), r.Time(6), r.Long(7) == 1), cancellationToken);
    }

    // 'dead' makes the run's own renewal fail should it somehow still live, so it can never act on its work again;
    // its guard row goes with it, so recovery takes its work over at once.
    public async Task<bool> DeclareDeadAsync(long runId, string reason, DateTimeOffset now, CancellationToken cancellationToken) =>
        await _dialect.WriteAsync(session => session.ScalarAsync<int>(Sql.DeclareDead, new { RunId = runId, Reason = reason, Now = now }, cancellationToken), cancellationToken) == 1;

    public async Task<RowCounts> CountRowsAsync(UsageTable table, DateTimeOffset cutoff, CancellationToken cancellationToken)
    {
        await using var session = await _dialect.OpenAsync(cancellationToken);
        var counts = await session.QueryAsync(Sql.CountRows[table], new { Cutoff = Usage.UtcText.WholeSeconds(cutoff) },
            r => new RowCounts(r.Long(0), r.Long(1), r.Long(2), r.Long(3), r.Long(4), r.Long(5)), cancellationToken);
        return counts[0];
    }

    public async Task<IReadOnlyList<RunListItem>> RecentRunsAsync(string job, int count, CancellationToken cancellationToken)
    {
        await using var session = await _dialect.OpenAsync(cancellationToken);
        return await session.QueryAsync(Sql.RecentRuns, new { Job = job, Count = count }, r => new RunListItem
        {
            RunId = r.Long(0), Status = r.String(1), StartedAt = r.String(2), FinishedAt = r.TextOrNull(3), ExitCode = r.LongOrNull(4), Message = r.TextOrNull(5),
        }, cancellationToken);
    }

    /// <summary>Closes what the dialect holds open (SQL Server: the run guard's sessions, which releases their locks).</summary>
    public ValueTask DisposeAsync() => _dialect.DisposeAsync();
}
