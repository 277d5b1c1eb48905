using Dapper;
using Microsoft.Data.Sqlite;
using UsageBatch.Billing;
using static UsageBatch.Storage.Sqlite.SqliteDatabase;

namespace UsageBatch.Storage.Sqlite;

/// <summary>
/// The billing store on the embedded SQLite database. Every write is a short transaction; SQLite's
/// <c>BEGIN IMMEDIATE</c> (what <c>BeginTransaction</c> issues) makes writers take turns, which is what keeps two racing
/// runs from claiming the same row: a claim only ever moves rows that are still 'pending' inside its transaction.
/// Split by concern: runs and leases here; validation, claims, ledger, queries in the other partial files.
/// </summary>
internal sealed partial class SqliteBillingStore : IBillingStore
{
    private readonly SqliteDatabase _database;

    private readonly bool _schemaReadOnly;

    /// <param name="schemaReadOnly">For verbs that must change nothing (validate, status, report, a dry run): the
    /// schema is only checked, never created or upgraded.</param>
    public SqliteBillingStore(SqliteDatabase database, bool schemaReadOnly = false)
    {
        _database = database;
        _schemaReadOnly = schemaReadOnly;
    }

    public string Dialect => "sqlite";

    /// <summary>The database this store opens (the demo seeds it directly).</summary>
    internal SqliteDatabase Database => _database;

    // The embedded database is the job's own file: a writer creates or upgrades its schema when it opens it.
    public async Task<int> EnsureSchemaAsync(CancellationToken cancellationToken) =>
        _schemaReadOnly ? await SqliteSchema.CheckAsync(_database, cancellationToken) : await SqliteSchema.ApplyAsync(_database, cancellationToken);

    public async Task<int> ApplySchemaAsync(CancellationToken cancellationToken) =>
        await SqliteSchema.ApplyAsync(_database, cancellationToken);

    public async Task<string> GetUsageIdPrefixAsync(DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var connection = await _database.OpenAsync(cancellationToken);
        await using var transaction = (SqliteTransaction)await connection.BeginTransactionAsync(cancellationToken);
        var prefix = await connection.ExecuteScalarAsync<string?>(new CommandDefinition(
            "SELECT usage_id_prefix FROM ub_installation WHERE id = 1", transaction: transaction, cancellationToken: cancellationToken));
        if (prefix is null)
        {
            var installation = Guid.NewGuid();
            // "ub" + 10 hex digits of the installation: short, unique per database, stable forever.
            prefix = "ub" + installation.ToString("N")[..10] + "-";
            await connection.ExecuteAsync(new CommandDefinition(
                "INSERT INTO ub_installation (id, installation_id, usage_id_prefix, created_at) VALUES (1, @Id, @Prefix, @Now)",
                new { Id = installation.ToString(), Prefix = prefix, Now = Text(now) }, transaction, cancellationToken: cancellationToken));
        }

        await transaction.CommitAsync(cancellationToken);
        return prefix;
    }

    public async Task<long> StartRunAsync(RunRecord run, CancellationToken cancellationToken)
    {
        await using var connection = await _database.OpenAsync(cancellationToken);
        return await connection.ExecuteScalarAsync<long>(new CommandDefinition(
            """
            INSERT INTO ub_run (job, provider_account, usage_table, status, dry_run, scheduled_at, cutoff, started_at,
                                lease_until, host, process_id, process_start)
            VALUES (@Job, @ProviderAccount, @UsageTable, 'running', @DryRun, @ScheduledAt, @Cutoff, @StartedAt,
                    @LeaseUntil, @Host, @ProcessId, @ProcessStart)
            RETURNING id
            """,
            new
            {
                run.Job, run.ProviderAccount, run.UsageTable, DryRun = run.DryRun ? 1 : 0,
                ScheduledAt = Text(run.ScheduledAt), Cutoff = Text(run.Cutoff), StartedAt = Text(run.StartedAt),
                LeaseUntil = Text(run.LeaseUntil), run.Host, run.ProcessId, run.ProcessStart,
            },
            cancellationToken: cancellationToken));
    }

    public async Task<bool> TryAcquireJobLockAsync(string job, long runId, DateTimeOffset now, DateTimeOffset leaseUntil, CancellationToken cancellationToken)
    {
        await using var connection = await _database.OpenAsync(cancellationToken);
        // Take the row when it is free or its holder's lease ran out (a killed run must not lock the job forever).
        var changed = await connection.ExecuteAsync(new CommandDefinition(
            """
            INSERT INTO ub_job_lock (job, run_id, lease_until) VALUES (@Job, @RunId, @LeaseUntil)
            ON CONFLICT (job) DO UPDATE SET run_id = excluded.run_id, lease_until = excluded.lease_until
            WHERE ub_job_lock.lease_until < @Now OR ub_job_lock.run_id = excluded.run_id
            """,
            new { Job = job, RunId = runId, LeaseUntil = Text(leaseUntil), Now = Text(now) }, cancellationToken: cancellationToken));
        return changed == 1;
    }

    public async Task<long?> JobLockHolderAsync(string job, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var connection = await _database.OpenAsync(cancellationToken);
        return await connection.ExecuteScalarAsync<long?>(new CommandDefinition(
            "SELECT run_id FROM ub_job_lock WHERE job = @Job AND lease_until >= @Now",
            new { Job = job, Now = Text(now) }, cancellationToken: cancellationToken));
    }

    public async Task ReleaseJobLockAsync(string job, long runId, CancellationToken cancellationToken)
    {
        await using var connection = await _database.OpenAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition(
            "DELETE FROM ub_job_lock WHERE job = @Job AND run_id = @RunId",
            new { Job = job, RunId = runId }, cancellationToken: cancellationToken));
    }

    public async Task<bool> RenewLeaseAsync(long runId, string job, DateTimeOffset leaseUntil, CancellationToken cancellationToken)
    {
        await using var connection = await _database.OpenAsync(cancellationToken);
        await using var write = await _database.BeginWriteAsync(connection, cancellationToken);
        var transaction = write.Transaction;
        // Only a run still 'running' may renew: once another run declared it dead and adopted its work, it must stop.
        var renewed = await connection.ExecuteAsync(new CommandDefinition(
            "UPDATE ub_run SET lease_until = @LeaseUntil WHERE id = @RunId AND status = 'running'",
            new { RunId = runId, LeaseUntil = Text(leaseUntil) }, transaction, cancellationToken: cancellationToken));
        await connection.ExecuteAsync(new CommandDefinition(
            "UPDATE ub_job_lock SET lease_until = @LeaseUntil WHERE job = @Job AND run_id = @RunId",
            new { Job = job, RunId = runId, LeaseUntil = Text(leaseUntil) }, transaction, cancellationToken: cancellationToken));
        await write.CommitAsync(cancellationToken);
        return renewed == 1;
    }

    public async Task FinishRunAsync(long runId, string status, int exitCode, string? message, string summaryJson, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var connection = await _database.OpenAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition(
            """
            UPDATE ub_run SET status = @Status, exit_code = @ExitCode, message = @Message, summary_json = @Summary,
                              finished_at = @Now, lease_until = @Now
            WHERE id = @RunId AND status = 'running'
            """,
            new { RunId = runId, Status = status, ExitCode = exitCode, Message = message, Summary = summaryJson, Now = Text(now) },
            cancellationToken: cancellationToken));
    }

    public async Task<string?> RunStatusAsync(long runId, CancellationToken cancellationToken)
    {
        await using var connection = await _database.OpenAsync(cancellationToken);
        return await connection.ExecuteScalarAsync<string?>(new CommandDefinition(
            "SELECT status FROM ub_run WHERE id = @RunId", new { RunId = runId }, cancellationToken: cancellationToken));
    }
}
