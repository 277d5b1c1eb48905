using System.Collections.Concurrent;
using System.Data;
using System.Globalization;
using Dapper;
using Microsoft.Data.SqlClient;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using UsageBatch.Usage;
using static UsageBatch.Storage.SqlServer.SqlServerStatements;

namespace UsageBatch.Storage.SqlServer;

/// <summary>
/// SQL Server (production): pooled connections in READ COMMITTED transactions that rerun after a deadlock, the
/// statements of <see cref="SqlServerStatements"/>, a session app lock as the run guard, and per-group batches as
/// the run's plan (<see cref="GroupBatches"/>: each batch a short transaction under lock escalation).
/// </summary>
internal sealed class SqlServerDialect : StoreDialect
{
    private readonly SqlServerDatabase _database;
    private readonly ILogger _logger;

    // The run guard's sessions, by job: the app lock lives exactly as long as the connection's session.
    private readonly ConcurrentDictionary<string, GuardSession> _jobLocks = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _guardRecovery = new(1, 1);

    // Guards whose session was lost, by job, with the run that lost them: every renewal tries to take them back.
    private readonly ConcurrentDictionary<string, long> _lostGuards = new(StringComparer.Ordinal);

    public SqlServerDialect(SqlServerDatabase database, ILogger? logger = null)
    {
        _database = database;
        _logger = logger ?? NullLogger.Instance;
        Sql = BuildStatements(database);
    }

    public override string Name => SqlServerSchema.Dialect;

    public override Statements Sql { get; }

    internal SqlServerDatabase Database => _database;

    public override int RowsPerStatement(int batchSize) => SqlServerLocking.RowsPerStatement(batchSize);

    public override int MaxRowsPerStatement => SqlServerLocking.MaxRowsPerStatement;

    public override async Task<StoreSession> OpenAsync(CancellationToken cancellationToken) =>
        new SqlServerSession(await _database.OpenAsync(cancellationToken));

    // `run`, `status` and the scheduler may use a least-privilege login: they only check, never create.
    public override Task<int> EnsureSchemaAsync(CancellationToken cancellationToken) => SqlServerSchema.CheckAsync(_database, cancellationToken);

    public override Task<int> ApplySchemaAsync(CancellationToken cancellationToken) => SqlServerSchema.ApplyAsync(_database, cancellationToken);

    public override async Task<int> SchemaVersionAsync(CancellationToken cancellationToken)
    {
        await using var connection = await _database.OpenAsync(cancellationToken);
        return await connection.ExecuteScalarAsync<int>(new CommandDefinition(_database.Sql(ConsoleSchemaVersionSql), cancellationToken: cancellationToken));
    }

    /// <summary>One set-based statement joins the batch, so it is bulk-copied into the temporary table first.</summary>
    public override async Task StageRejectionsAsync(StoreSession session, IReadOnlyList<RowRejection> rejections, CancellationToken cancellationToken)
    {
        using var rows = new DataTable { Locale = CultureInfo.InvariantCulture };
        rows.Columns.Add("row_id", typeof(long));
        rows.Columns.Add("source_key", typeof(string));
        rows.Columns.Add("reason", typeof(string));
        foreach (var row in rejections)
        {
            rows.Rows.Add(row.RowId, (object?)row.SourceKey ?? DBNull.Value, Arg.Reason(row.Reason));
        }

        using var copy = new SqlBulkCopy((SqlConnection)session.Connection, SqlBulkCopyOptions.Default, (SqlTransaction?)session.Transaction)
        {
            DestinationTableName = "#ub_reject",
        };
        await copy.WriteToServerAsync(rows, cancellationToken);
    }

    public override RunPlan CreatePlan(BillingStore store) => new GroupBatches(store, this);

    public override async Task<bool> TryAcquireGuardAsync(string job, long runId, TimeSpan lease, CancellationToken cancellationToken)
    {
        if (_jobLocks.TryGetValue(job, out var held) && held.RunId == runId)
        {
            await held.UseAsync(c => WriteJobLockRowAsync(c, job, runId, lease, cancellationToken), cancellationToken);
            return true; // re-acquiring one's own lock, as on SQLite
        }

        var connection = await _database.OpenDedicatedAsync(cancellationToken);
        try
        {
            var result = await connection.ExecuteScalarAsync<int>(new CommandDefinition(GetJobLockSql,
                new { Resource = JobLockResource(job) }, cancellationToken: cancellationToken));
            if (result < 0)
            {
                await connection.DisposeAsync();
                return false;
            }

            await WriteJobLockRowAsync(connection, job, runId, lease, cancellationToken);
            if (!_jobLocks.TryAdd(job, new GuardSession(connection, runId)))
            {
                // Cannot happen: the app lock above is exclusive even between connections of this process.
                await connection.DisposeAsync();
                return false;
            }

            return true;
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    public override async Task<long?> GuardHolderAsync(string job, CancellationToken cancellationToken)
    {
        await using var connection = await _database.OpenAsync(cancellationToken);
        return await connection.ExecuteScalarAsync<long?>(new CommandDefinition(_database.Sql(JobLockHolderSql),
            new { Job = job, Resource = JobLockResource(job) }, cancellationToken: cancellationToken));
    }

    public override async Task ReleaseGuardAsync(string job, long runId, CancellationToken cancellationToken)
    {
        _lostGuards.TryRemove(new KeyValuePair<string, long>(job, runId));
        if (_jobLocks.TryGetValue(job, out var held) && held.RunId == runId && _jobLocks.TryRemove(new KeyValuePair<string, GuardSession>(job, held)))
        {
            await using (held)
            {
                await held.UseAsync(c => c.ExecuteAsync(new CommandDefinition(_database.Sql(ReleaseJobLockSql),
                    new { Job = job, RunId = runId, Resource = JobLockResource(job) }, cancellationToken: cancellationToken)), cancellationToken);
            }

            return;
        }

        // Not held here (already released, or the guard's connection was lost): only clear our row.
        await using var connection = await _database.OpenAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition(_database.Sql(DeleteJobLockRowSql),
            new { Job = job, RunId = runId }, cancellationToken: cancellationToken));
    }

    /// <summary>
    /// Through the guard's own session, which also keeps an idle session from being cut by a firewall. A failed renewal
    /// loses the guard only when <see cref="GuardProbe"/> says so (the session is gone or no longer holds the lock); a
    /// timeout keeps the session and the next renewal tries again. A lost guard stays in <c>_lostGuards</c> and every
    /// renewal tries to take it back on a new session until it is back or the run releases it (the claims keep racing
    /// runs apart meanwhile).
    /// </summary>
    public override async Task RenewGuardAsync(string job, long runId, TimeSpan lease, CancellationToken cancellationToken)
    {
        if (_lostGuards.TryGetValue(job, out var lostBy) && lostBy == runId)
        {
            await TakeGuardBackAsync(job, runId, lease, cancellationToken);
            return;
        }

        if (!_jobLocks.TryGetValue(job, out var held) || held.RunId != runId)
        {
            return;
        }

        var resource = JobLockResource(job);
        var state = await held.UseAsync(async connection =>
        {
            try
            {
                var mode = await connection.ExecuteScalarAsync<string?>(new CommandDefinition(_database.Sql(RenewJobLockSql),
                    new { Job = job, RunId = runId, LeaseMs = Arg.Milliseconds(lease), Resource = resource }, cancellationToken: cancellationToken));
                return GuardProbe.FromMode(mode);
            }
            catch (Exception ex) when (ex is SqlException or InvalidOperationException)
            {
                var after = await GuardProbe.AfterFailedRenewalAsync(connection, c => c.ExecuteScalarAsync<string?>(
                    new CommandDefinition(JobLockModeSql, new { Resource = resource }, cancellationToken: cancellationToken)));
                if (after != GuardState.Lost)
                {
                    _logger.LogWarning(ex, "Run {RunId} could not renew the run guard of job {Job} ({Reason}); its session still holds the lock ({State}); the next renewal tries again",
                        runId, job, ex.Message, after);
                }

                return after;
            }
        }, cancellationToken);

        if (state != GuardState.Lost)
        {
            return;
        }

        _logger.LogWarning("Run {RunId} lost the run guard of job {Job} (its session ended or no longer holds the lock); taking it again", runId, job);
        _lostGuards[job] = runId;
        if (_jobLocks.TryRemove(new KeyValuePair<string, GuardSession>(job, held)))
        {
            await held.DisposeAsync();
        }

        await TakeGuardBackAsync(job, runId, lease, cancellationToken);
    }

    private async Task TakeGuardBackAsync(string job, long runId, TimeSpan lease, CancellationToken cancellationToken)
    {
        // Several senders may find the session gone at once: one of them takes the guard back.
        await _guardRecovery.WaitAsync(cancellationToken);
        try
        {
            if (!_lostGuards.TryGetValue(job, out var lostBy) || lostBy != runId)
            {
                return; // taken back, or released, meanwhile
            }

            if (await TryAcquireGuardAsync(job, runId, lease, cancellationToken))
            {
                _lostGuards.TryRemove(new KeyValuePair<string, long>(job, runId));
                _logger.LogInformation("Run {RunId} took the run guard of job {Job} back", runId, job);
                return;
            }

            _logger.LogError("Run {RunId} could not take the run guard of job {Job} back: another process holds it; the claims still keep the two runs apart; the next renewal tries again", runId, job);
        }
        catch (SqlException ex)
        {
            _logger.LogWarning(ex, "Run {RunId} could not take the run guard of job {Job} back now ({Reason}); the next renewal tries again", runId, job, ex.Message);
        }
        finally
        {
            _guardRecovery.Release();
        }
    }

    /// <summary>Closes the run guard's connections: SQL Server then releases their locks, as when the process exits.</summary>
    public override async ValueTask DisposeAsync()
    {
        foreach (var job in _jobLocks.Keys)
        {
            if (_jobLocks.TryRemove(job, out var held))
            {
                await held.DisposeAsync();
            }
        }
    }

    private Task<int> WriteJobLockRowAsync(System.Data.Common.DbConnection connection, string job, long runId, TimeSpan lease, CancellationToken cancellationToken) =>
        connection.ExecuteAsync(new CommandDefinition(_database.Sql(WriteJobLockRowSql),
            new { Job = job, RunId = runId, LeaseMs = Arg.Milliseconds(lease) }, cancellationToken: cancellationToken));

    public override async Task LockGroupFactsAsync(StoreSession session, string account, string customer, CancellationToken cancellationToken)
    {
        var key = Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(account + "\n" + customer)));
        var result = await session.ScalarAsync<int>(_database.Sql(LockGroupFactsSql), new { Resource = "UsageBatch:" + _database.Schema + ":facts#" + key }, cancellationToken);
        if (result < 0)
        {
            throw new InvalidOperationException($"could not lock the ledger facts of customer {customer} (sp_getapplock answered {result})");
        }
    }

    /// <summary>One lock name per schema and job (≤ 255 characters, sp_getapplock's limit).</summary>
    private string JobLockResource(string job)
    {
        var resource = "UsageBatch:" + _database.Schema + ":job:" + job;
        return resource.Length <= 255
            ? resource
            : "UsageBatch:" + _database.Schema + ":job#" + Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(job)));
    }

    private static Statements BuildStatements(SqlServerDatabase db)
    {
        string S(string template) => db.Sql(template.Replace("$(SubmissionColumns)", LedgerRows.Columns, StringComparison.Ordinal));
        PerTable T(string template) => PerTable.From(table => db.Sql(template, table));
        PerTable U(Func<UsageTable, string> template) => PerTable.From(table => db.Sql(template(table), table));
        return new Statements
        {
            UsageIdPrefix = S(InstallationSql), InsertInstallation = S(InsertInstallationSql), StartRun = S(StartRunSql),
            RenewRunLease = S(RenewRunLeaseSql), FinishRun = S(FinishRunSql), RunStatus = S(RunStatusSql), RunningRuns = S(RunningRunsSql),
            DeclareDead = S(DeclareDeadSql),
            AdoptOrphans = S(AdoptOrphansSql), MarkSent = S(MarkSentSql), MoveUsageDate = S(MoveUsageDateSql), OwnedUsageIds = S(OwnedUsageIdsSql),
            RecordOutcome = S(RecordOutcomeSql), SettleBatch = T(SettleBatchSql), MarkSettled = S(MarkSettledSql), ConfirmedUnsettled = S(ConfirmedUnsettledSql),
            SettleConfirmedRange = T(SettleConfirmedRangeSql), MarkConfirmedRangeSettled = T(MarkConfirmedRangeSettledSql),
            CarryUnreported = S(CarryUnreportedSql), MarkReportWritten = S(MarkReportWrittenSql), MarkReportFailed = S(MarkReportFailedSql),
            GetSubmission = S(GetSubmissionSql), SubmissionsOfRun = S(SubmissionsOfRunSql), InsertEvent = S(InsertEventSql), InsertRowException = S(InsertRowExceptionSql),
            PendingRows = U(SqlServerUsageStatements.PendingRows), CreateRejectStage = S(CreateRejectTempSql), RejectStaged = T(RejectFromTempSql),
            HoldRequeued = T(HoldRequeuedSql),
            Groups = U(SqlServerUsageStatements.Groups), InsertPreparing = S(InsertPreparingSql),
            ClaimBatch = U(SqlServerUsageStatements.ClaimBatch), RejectClaimedRow = T(RejectClaimedRowSql),
            UpdatePreparing = S(UpdatePreparingSql), DeleteSubmission = S(DeleteSubmissionSql), DecideSubmission = S(DecideSubmissionSql),
            CapCount = S(CapCountSql), UsedUsageDates = S(UsedUsageDatesSql),
            FindRequeuedBilled = T(FindRequeuedBilledSql), FindHeldRow = T(FindHeldRowSql), ReopenRowsBatch = T(ReopenRowsBatchSql),
            ReopenSubmission = S(ReopenSubmissionSql), RestoreBilledRow = T(RestoreBilledRowSql), SourceKeyOfRow = T(SourceKeyOfRowSql), ReleaseRow = T(ReleaseRowSql),
            GetRun = S(GetRunSql), LastFinishedRun = S(LastFinishedRunSql), RowIdsOfRun = S(RowIdsOfRunSql), EventsOfRun = S(EventsOfRunSql),
            RowExceptionsOfRun = S(RowExceptionsOfRunSql), ConfirmedCounts = S(ConfirmedCountsSql), SilentCustomers = S(SilentCustomersSql), ConfirmedByUsageDate = S(ConfirmedByUsageDateSql),
            ConfirmedBySentAt = S(ConfirmedBySentAtSql), SubmissionsByUsageIds = S(SubmissionsByUsageIdsSql), RecordReceipt = S(RecordReceiptSql),
            RecordReceiptRows = T(RecordReceiptRowsSql),
            CountRows = T(CountRowsSql), RecentRuns = S(RecentRunsSql), LastRun = S(ConsoleLastRunSql), OldestPending = T(ConsoleOldestPendingSql), NewestOccurred = T(NewestOccurredSql),
            Runs = S(ConsoleRunsSql), RunCount = S(ConsoleRunCountSql), ExceptionGroups = T(ConsoleExceptionGroupsSql),
            ExceptionRows = U(SqlServerUsageStatements.ExceptionRows),
        };
    }
}
