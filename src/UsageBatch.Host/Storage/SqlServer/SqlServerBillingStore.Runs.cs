using Dapper;
using UsageBatch.Billing;
using static UsageBatch.Storage.SqlServer.SqlServerDatabase;

namespace UsageBatch.Storage.SqlServer;

/// <summary>
/// The crashed-process check's statements. The app lock of a run guard dies with its session, so a killed
/// process's guard is free already; what remains is its ub_run row ('running' until its lease lapses, which holds
/// back recovery of its submissions) and its stale ub_job_lock row, both cleared here.
/// </summary>
internal sealed partial class SqlServerBillingStore
{
    private const string RunningRunsSql = """
        SELECT id, job, host, process_id, process_start, started_at, lease_until
        FROM [$(Schema)].ub_run WHERE status = 'running' ORDER BY id;
        """;

    private const string DeclareDeadSql = """
        UPDATE [$(Schema)].ub_run WITH (ROWLOCK)
        SET status = 'dead', finished_at = @Now, lease_until = @Now, message = @Reason
        WHERE id = @RunId AND status = 'running';
        SELECT @@ROWCOUNT;
        DELETE FROM [$(Schema)].ub_job_lock WHERE run_id = @RunId;
        """;

    public async Task<IReadOnlyList<RunningRun>> RunningRunsAsync(CancellationToken cancellationToken)
    {
        await using var connection = await _database.OpenAsync(cancellationToken);
        var rows = await connection.QueryAsync<(long Id, string Job, string Host, int ProcessId, string? ProcessStart, DateTime StartedAt, DateTime LeaseUntil)>(
            new CommandDefinition(_database.Sql(RunningRunsSql), cancellationToken: cancellationToken));
        return rows.Select(r => new RunningRun(r.Id, r.Job, r.Host, r.ProcessId, r.ProcessStart, Utc(r.StartedAt), Utc(r.LeaseUntil))).ToList();
    }

    public async Task<bool> DeclareDeadAsync(long runId, string reason, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var connection = await _database.OpenAsync(cancellationToken);
        var changed = await connection.ExecuteScalarAsync<int>(new CommandDefinition(_database.Sql(DeclareDeadSql),
            new { RunId = runId, Reason = reason, Now = Time(now) }, cancellationToken: cancellationToken));
        return changed == 1;
    }
}
