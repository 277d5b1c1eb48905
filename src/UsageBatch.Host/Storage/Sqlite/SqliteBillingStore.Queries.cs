using Dapper;
using static UsageBatch.Storage.Sqlite.SqliteDatabase;

namespace UsageBatch.Storage.Sqlite;

internal sealed partial class SqliteBillingStore
{
    public async Task<RowCounts> CountRowsAsync(UsageTable table, DateTimeOffset cutoff, CancellationToken cancellationToken)
    {
        await using var connection = await _database.OpenAsync(cancellationToken);
        var counts = await connection.QuerySingleAsync<(long Pending, long Future, long Claimed, long Billed, long Rejected, long Held)>(new CommandDefinition(
            $"""
            SELECT COALESCE(SUM(billing_status = 'pending' AND occurred_at < @Cutoff), 0),
                   COALESCE(SUM(billing_status = 'pending' AND occurred_at >= @Cutoff), 0),
                   COALESCE(SUM(billing_status = 'claimed'), 0),
                   COALESCE(SUM(billing_status = 'billed'), 0),
                   COALESCE(SUM(billing_status = 'rejected'), 0),
                   COALESCE(SUM(billing_status = 'held'), 0)
            FROM {table.Name}
            """,
            new { Cutoff = Text(Usage.UtcText.WholeSeconds(cutoff)) }, cancellationToken: cancellationToken));
        return new RowCounts(counts.Pending, counts.Future, counts.Claimed, counts.Billed, counts.Rejected, counts.Held);
    }

    public async Task<IReadOnlyList<RunListItem>> RecentRunsAsync(string job, int count, CancellationToken cancellationToken)
    {
        await using var connection = await _database.OpenAsync(cancellationToken);
        var runs = await connection.QueryAsync<RunListItem>(new CommandDefinition(
            """
            SELECT id AS RunId, status AS Status, started_at AS StartedAt, finished_at AS FinishedAt, exit_code AS ExitCode, message AS Message
            FROM ub_run WHERE job = @Job ORDER BY id DESC LIMIT @Count
            """,
            new { Job = job, Count = count }, cancellationToken: cancellationToken));
        return runs.ToList();
    }
}
