using Dapper;
using static UsageBatch.Storage.SqlServer.SqlServerDatabase;

namespace UsageBatch.Storage.SqlServer;

internal sealed partial class SqlServerBillingStore
{
    private const string CountRowsSql = """
        SELECT COUNT_BIG(CASE WHEN billing_status = 'pending' AND occurred_at < @Cutoff THEN 1 END) AS Pending,
               COUNT_BIG(CASE WHEN billing_status = 'pending' AND occurred_at >= @Cutoff THEN 1 END) AS Future,
               COUNT_BIG(CASE WHEN billing_status = 'claimed' THEN 1 END) AS Claimed,
               COUNT_BIG(CASE WHEN billing_status = 'billed' THEN 1 END) AS Billed,
               COUNT_BIG(CASE WHEN billing_status = 'rejected' THEN 1 END) AS Rejected,
               COUNT_BIG(CASE WHEN billing_status = 'held' THEN 1 END) AS Held
        FROM [$(Schema)].$(UsageTable);
        """;

    private const string RecentRunsSql = """
        SELECT TOP (@Count) id AS RunId, status AS Status, started_at AS StartedAt, finished_at AS FinishedAt,
               exit_code AS ExitCode, message AS Message
        FROM [$(Schema)].ub_run WHERE job = @Job ORDER BY id DESC;
        """;

    static SqlServerBillingStore() => DefaultTypeMap.MatchNamesWithUnderscores = true;

    public async Task<RowCounts> CountRowsAsync(UsageTable table, DateTimeOffset cutoff, CancellationToken cancellationToken)
    {
        await using var connection = await _database.OpenAsync(cancellationToken);
        var c = await connection.QuerySingleAsync<(long Pending, long Future, long Claimed, long Billed, long Rejected, long Held)>(new CommandDefinition(
            _database.Sql(CountRowsSql, table), new { Cutoff = Time(Usage.UtcText.WholeSeconds(cutoff)) }, cancellationToken: cancellationToken));
        return new RowCounts(c.Pending, c.Future, c.Claimed, c.Billed, c.Rejected, c.Held);
    }

    public async Task<IReadOnlyList<RunListItem>> RecentRunsAsync(string job, int count, CancellationToken cancellationToken)
    {
        await using var connection = await _database.OpenAsync(cancellationToken);
        var runs = await connection.QueryAsync<(long RunId, string Status, DateTime StartedAt, DateTime? FinishedAt, int? ExitCode, string? Message)>(
            new CommandDefinition(_database.Sql(RecentRunsSql), new { Job = job, Count = count }, cancellationToken: cancellationToken));
        return runs.Select(r => new RunListItem
        {
            RunId = r.RunId, Status = r.Status, StartedAt = Usage.UtcText.Format(Utc(r.StartedAt)),
            FinishedAt = r.FinishedAt is { } f ? Usage.UtcText.Format(Utc(f)) : null, ExitCode = r.ExitCode, Message = r.Message,
        }).ToList();
    }
}
