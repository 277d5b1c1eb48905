using Dapper;
using UsageBatch.Billing;
using UsageBatch.Usage;
using static UsageBatch.Storage.Sqlite.SqliteDatabase;

namespace UsageBatch.Storage.Sqlite;

internal sealed partial class SqliteBillingStore
{
    public async Task<IReadOnlyList<RunningRun>> RunningRunsAsync(CancellationToken cancellationToken)
    {
        await using var connection = await _database.OpenAsync(cancellationToken);
        var rows = await connection.QueryAsync<(long Id, string Job, string Host, long ProcessId, string? ProcessStart, string StartedAt, string LeaseUntil)>(
            new CommandDefinition(
                "SELECT id, job, host, process_id, process_start, started_at, lease_until FROM ub_run WHERE status = 'running' ORDER BY id",
                cancellationToken: cancellationToken));
        return rows.Select(r => new RunningRun(r.Id, r.Job, r.Host, (int)r.ProcessId, r.ProcessStart, UtcText.Parse(r.StartedAt), UtcText.Parse(r.LeaseUntil))).ToList();
    }

    public async Task<bool> DeclareDeadAsync(long runId, string reason, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var connection = await _database.OpenAsync(cancellationToken);
        await using var write = await _database.BeginWriteAsync(connection, cancellationToken);
        // 'dead' makes the run's own renewal fail should it somehow still live, so it can never act on its work again.
        var changed = await connection.ExecuteAsync(new CommandDefinition(
            "UPDATE ub_run SET status = 'dead', finished_at = @Now, lease_until = @Now, message = @Reason WHERE id = @RunId AND status = 'running'",
            new { RunId = runId, Reason = reason, Now = Text(now) }, write.Transaction, cancellationToken: cancellationToken));
        await connection.ExecuteAsync(new CommandDefinition(
            "DELETE FROM ub_job_lock WHERE run_id = @RunId",
            new { RunId = runId }, write.Transaction, cancellationToken: cancellationToken));
        await write.CommitAsync(cancellationToken);
        return changed == 1;
    }
}
