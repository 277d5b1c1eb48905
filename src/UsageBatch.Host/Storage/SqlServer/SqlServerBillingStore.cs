using System.Collections.Concurrent;
using System.Data;
using Dapper;
using Microsoft.Data.SqlClient;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using UsageBatch.Billing;
using static UsageBatch.Storage.SqlServer.SqlServerDatabase;

namespace UsageBatch.Storage.SqlServer;

/// <summary>
/// The billing store on SQL Server (production), held to the same contract tests as SQLite's. What keeps racing
/// runs apart is the claim: <c>UPDATE TOP (@n) … WITH (ROWLOCK, READPAST, UPDLOCK, READCOMMITTEDLOCK)</c> only ever
/// moves rows that are still 'pending', skipping rows another run has locked instead of waiting for them. Every
/// method is one or a few short transactions; batches stay under the lock-escalation threshold (see Claims).
/// Split by concern: runs, leases and the run guard here; validation, claims, ledger, queries in the other files.
/// </summary>
internal sealed partial class SqlServerBillingStore : IBillingStore, IAsyncDisposable
{
    private const string InstallationSql = """
        SELECT usage_id_prefix FROM [$(Schema)].ub_installation WITH (UPDLOCK, HOLDLOCK) WHERE id = 1;
        """;

    private const string InsertInstallationSql = """
        INSERT INTO [$(Schema)].ub_installation (id, installation_id, usage_id_prefix, created_at) VALUES (1, @Id, @Prefix, @Now);
        """;

    private const string StartRunSql = """
        INSERT INTO [$(Schema)].ub_run (job, provider_account, usage_table, status, dry_run, scheduled_at, cutoff, started_at,
                                        lease_until, host, process_id, process_start)
        OUTPUT inserted.id
        VALUES (@Job, @ProviderAccount, @UsageTable, 'running', @DryRun, @ScheduledAt, @Cutoff, @StartedAt,
                @LeaseUntil, @Host, @ProcessId, @ProcessStart);
        """;

    // Session-owned: held for the whole run on the guard's own connection, released by SQL Server the moment that
    // session ends (the process died), so a killed run never locks the job. @LockTimeout = 0: never wait.
    private const string GetJobLockSql = """
        DECLARE @result int;
        EXEC @result = sp_getapplock @Resource = @Resource, @LockMode = 'Exclusive', @LockOwner = 'Session', @LockTimeout = 0, @DbPrincipal = 'public';
        SELECT @result;
        """;

    private const string WriteJobLockRowSql = """
        UPDATE [$(Schema)].ub_job_lock SET run_id = @RunId, lease_until = @LeaseUntil WHERE job = @Job;
        IF @@ROWCOUNT = 0
            INSERT INTO [$(Schema)].ub_job_lock (job, run_id, lease_until) VALUES (@Job, @RunId, @LeaseUntil);
        """;

    private const string ReleaseJobLockSql = """
        DELETE FROM [$(Schema)].ub_job_lock WHERE job = @Job AND run_id = @RunId;
        IF APPLOCK_MODE('public', @Resource, 'Session') <> 'NoLock'
            EXEC sp_releaseapplock @Resource = @Resource, @LockOwner = 'Session', @DbPrincipal = 'public';
        """;

    private const string DeleteJobLockRowSql = "DELETE FROM [$(Schema)].ub_job_lock WHERE job = @Job AND run_id = @RunId;";

    // APPLOCK_TEST = 1 means the lock could be granted, i.e. nobody holds it (whatever a stale row says).
    private const string JobLockHolderSql = """
        SELECT CASE WHEN APPLOCK_TEST('public', @Resource, 'Exclusive', 'Session') = 1 THEN NULL
                    ELSE (SELECT run_id FROM [$(Schema)].ub_job_lock WHERE job = @Job) END;
        """;

    private const string RenewRunLeaseSql = """
        UPDATE [$(Schema)].ub_run SET lease_until = @LeaseUntil WHERE id = @RunId AND status = 'running';
        """;

    private const string RenewJobLockSql = """
        UPDATE [$(Schema)].ub_job_lock SET lease_until = @LeaseUntil WHERE job = @Job AND run_id = @RunId;
        """;

    private const string FinishRunSql = """
        UPDATE [$(Schema)].ub_run
        SET status = @Status, exit_code = @ExitCode, message = @Message, summary_json = @Summary, finished_at = @Now, lease_until = @Now
        WHERE id = @RunId AND status = 'running';
        """;

    private const string RunStatusSql = "SELECT status FROM [$(Schema)].ub_run WHERE id = @RunId;";

    private readonly SqlServerDatabase _database;
    private readonly ILogger _logger;

    // The run guard's sessions, by job: the app lock lives exactly as long as the connection's session.
    private readonly ConcurrentDictionary<string, GuardSession> _jobLocks = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _guardRecovery = new(1, 1);

    public SqlServerBillingStore(SqlServerDatabase database, ILogger? logger = null)
    {
        _database = database;
        _logger = logger ?? NullLogger.Instance;
    }

    public string Dialect => SqlServerSchema.Dialect;

    // `run`, `status` and the scheduler may use a least-privilege login: they only check, never create.
    public Task<int> EnsureSchemaAsync(CancellationToken cancellationToken) => SqlServerSchema.CheckAsync(_database, cancellationToken);

    public Task<int> ApplySchemaAsync(CancellationToken cancellationToken) => SqlServerSchema.ApplyAsync(_database, cancellationToken);

    public async Task<string> GetUsageIdPrefixAsync(DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var connection = await _database.OpenAsync(cancellationToken);
        return await InTransactionAsync(connection, async transaction =>
        {
            // UPDLOCK + HOLDLOCK: two first runs racing create one installation row, not a duplicate-key error.
            var prefix = await connection.ExecuteScalarAsync<string?>(new CommandDefinition(
                _database.Sql(InstallationSql), transaction: transaction, cancellationToken: cancellationToken));
            if (prefix is null)
            {
                var installation = Guid.NewGuid();
                // "ub" + 10 hex digits of the installation: short, unique per database, stable forever.
                prefix = "ub" + installation.ToString("N")[..10] + "-";
                await connection.ExecuteAsync(new CommandDefinition(_database.Sql(InsertInstallationSql),
                    new { Id = Ansi(installation.ToString(), 36), Prefix = Ansi(prefix, 20), Now = Time(now) }, transaction, cancellationToken: cancellationToken));
            }

            return prefix;
        }, cancellationToken);
    }

    public async Task<long> StartRunAsync(RunRecord run, CancellationToken cancellationToken)
    {
        await using var connection = await _database.OpenAsync(cancellationToken);
        return await connection.ExecuteScalarAsync<long>(new CommandDefinition(_database.Sql(StartRunSql),
            new
            {
                run.Job, run.ProviderAccount, UsageTable = Ansi(run.UsageTable, 50), run.DryRun,
                ScheduledAt = Time(run.ScheduledAt), Cutoff = Time(run.Cutoff), StartedAt = Time(run.StartedAt),
                LeaseUntil = Time(run.LeaseUntil), run.Host, run.ProcessId, ProcessStart = Ansi(run.ProcessStart, 100),
            },
            cancellationToken: cancellationToken));
    }

    public async Task<bool> TryAcquireJobLockAsync(string job, long runId, DateTimeOffset now, DateTimeOffset leaseUntil, CancellationToken cancellationToken)
    {
        if (_jobLocks.TryGetValue(job, out var held) && held.RunId == runId)
        {
            await held.UseAsync(c => WriteJobLockRowAsync(c, job, runId, leaseUntil, cancellationToken), cancellationToken);
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

            await WriteJobLockRowAsync(connection, job, runId, leaseUntil, cancellationToken);
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

    public async Task<long?> JobLockHolderAsync(string job, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var connection = await _database.OpenAsync(cancellationToken);
        return await connection.ExecuteScalarAsync<long?>(new CommandDefinition(_database.Sql(JobLockHolderSql),
            new { Job = job, Resource = JobLockResource(job) }, cancellationToken: cancellationToken));
    }

    public async Task ReleaseJobLockAsync(string job, long runId, CancellationToken cancellationToken)
    {
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

    public async Task<bool> RenewLeaseAsync(long runId, string job, DateTimeOffset leaseUntil, CancellationToken cancellationToken)
    {
        int renewed;
        await using (var connection = await _database.OpenAsync(cancellationToken))
        {
            // Only a run still 'running' may renew: once another run declared it dead and adopted its work, it must stop.
            renewed = await connection.ExecuteAsync(new CommandDefinition(_database.Sql(RenewRunLeaseSql),
                new { RunId = runId, LeaseUntil = Time(leaseUntil) }, cancellationToken: cancellationToken));
        }

        if (_jobLocks.TryGetValue(job, out var held) && held.RunId == runId)
        {
            await RenewGuardAsync(held, job, runId, leaseUntil, cancellationToken);
        }

        return renewed == 1;
    }

    /// <summary>
    /// Through the guard's own session, which also keeps an idle session from being cut by a firewall. If that
    /// session is gone, the guard is lost (the claims still keep racing runs apart, I7): that is logged, and the
    /// guard is taken again on a new session when nobody else has it.
    /// </summary>
    private async Task RenewGuardAsync(GuardSession held, string job, long runId, DateTimeOffset leaseUntil, CancellationToken cancellationToken)
    {
        try
        {
            await held.UseAsync(c => c.ExecuteAsync(new CommandDefinition(_database.Sql(RenewJobLockSql),
                new { Job = job, RunId = runId, LeaseUntil = Time(leaseUntil) }, cancellationToken: cancellationToken)), cancellationToken);
            return;
        }
        catch (Exception ex) when (ex is SqlException or InvalidOperationException)
        {
            _logger.LogWarning(ex, "Run {RunId} lost the run guard of job {Job} (its session ended: {Reason}); taking it again", runId, job, ex.Message);
        }

        if (_jobLocks.TryRemove(new KeyValuePair<string, GuardSession>(job, held)))
        {
            await held.DisposeAsync();
        }

        // Several senders may find the session gone at once: one of them takes the guard back.
        await _guardRecovery.WaitAsync(cancellationToken);
        try
        {
            if (_jobLocks.TryGetValue(job, out var again) && again.RunId == runId)
            {
                return;
            }

            if (!await TryAcquireJobLockAsync(job, runId, leaseUntil, leaseUntil, cancellationToken))
            {
                _logger.LogError("Run {RunId} could not take the run guard of job {Job} back: another process holds it; the claims still keep the two runs apart", runId, job);
            }
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

    public async Task FinishRunAsync(long runId, string status, int exitCode, string? message, string summaryJson, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var connection = await _database.OpenAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition(_database.Sql(FinishRunSql),
            new { RunId = runId, Status = Ansi(status, 10), ExitCode = exitCode, Message = message, Summary = summaryJson, Now = Time(now) },
            cancellationToken: cancellationToken));
    }

    public async Task<string?> RunStatusAsync(long runId, CancellationToken cancellationToken)
    {
        await using var connection = await _database.OpenAsync(cancellationToken);
        return await connection.ExecuteScalarAsync<string?>(new CommandDefinition(_database.Sql(RunStatusSql),
            new { RunId = runId }, cancellationToken: cancellationToken));
    }

    /// <summary>Closes the run guard's connections: SQL Server then releases their locks, as when the process exits.</summary>
    public async ValueTask DisposeAsync()
    {
        foreach (var job in _jobLocks.Keys)
        {
            if (_jobLocks.TryRemove(job, out var held))
            {
                await held.DisposeAsync();
            }
        }
    }

    private Task<int> WriteJobLockRowAsync(System.Data.Common.DbConnection connection, string job, long runId, DateTimeOffset leaseUntil, CancellationToken cancellationToken) =>
        connection.ExecuteAsync(new CommandDefinition(_database.Sql(WriteJobLockRowSql),
            new { Job = job, RunId = runId, LeaseUntil = Time(leaseUntil) }, cancellationToken: cancellationToken));

    /// <summary>One lock name per schema and job (≤ 255 characters, sp_getapplock's limit).</summary>
    private string JobLockResource(string job)
    {
        var resource = "UsageBatch:" + _database.Schema + ":job:" + job;
        return resource.Length <= 255
            ? resource
            : "UsageBatch:" + _database.Schema + ":job#" + Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(job)));
    }

}
