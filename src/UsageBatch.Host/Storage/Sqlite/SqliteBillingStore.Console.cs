using Dapper;
using UsageBatch.Usage;

namespace UsageBatch.Storage.Sqlite;

/// <summary>The operator console's reads (<see cref="IConsoleStore"/>). Table names come from <see cref="UsageTable"/>, never from input.</summary>
internal sealed partial class SqliteBillingStore : IConsoleStore
{
    private const string ConsoleRunColumns = "id, job, status, started_at, finished_at, exit_code, message, summary_json";

    public async Task<int> SchemaVersionAsync(CancellationToken cancellationToken)
    {
        await using var connection = await _database.OpenAsync(cancellationToken);
        return await SqliteSchema.CurrentVersionAsync(connection, cancellationToken);
    }

    public async Task<ConsoleRun?> LastRunAsync(string job, bool completedOnly, CancellationToken cancellationToken)
    {
        await using var connection = await _database.OpenAsync(cancellationToken);
        var row = await connection.QueryFirstOrDefaultAsync<ConsoleRunDto>(new CommandDefinition(
            $"""
            SELECT {ConsoleRunColumns} FROM ub_run
            WHERE job = @Job AND (@Completed = 0 OR status IN ('succeeded', 'attention'))
            ORDER BY id DESC LIMIT 1
            """,
            new { Job = job, Completed = completedOnly ? 1 : 0 }, cancellationToken: cancellationToken));
        return row?.ToRun();
    }

    public async Task<DateTimeOffset?> OldestPendingAsync(UsageTable table, CancellationToken cancellationToken)
    {
        await using var connection = await _database.OpenAsync(cancellationToken);
        var oldest = await connection.ExecuteScalarAsync<string?>(new CommandDefinition(
            $"SELECT MIN(occurred_at) FROM {table.Name} WHERE billing_status = 'pending' AND occurred_at IS NOT NULL",
            cancellationToken: cancellationToken));
        return UtcText.TryParseUsage(oldest, out var at, out _) ? at : null;
    }

    public async Task<(IReadOnlyList<ConsoleRun> Runs, long Total)> RunsAsync(string? job, string? status, int skip, int take, CancellationToken cancellationToken)
    {
        await using var connection = await _database.OpenAsync(cancellationToken);
        var filter = new { Job = job, Status = status, Skip = skip, Take = take };
        var rows = await connection.QueryAsync<ConsoleRunDto>(new CommandDefinition(
            $"""
            SELECT {ConsoleRunColumns} FROM ub_run
            WHERE (@Job IS NULL OR job = @Job) AND (@Status IS NULL OR status = @Status)
            ORDER BY id DESC LIMIT @Take OFFSET @Skip
            """,
            filter, cancellationToken: cancellationToken));
        var total = await connection.ExecuteScalarAsync<long>(new CommandDefinition(
            "SELECT COUNT(*) FROM ub_run WHERE (@Job IS NULL OR job = @Job) AND (@Status IS NULL OR status = @Status)",
            filter, cancellationToken: cancellationToken));
        return (rows.Select(r => r.ToRun()).ToList(), total);
    }

    public async Task<IReadOnlyList<ConsoleExceptionGroup>> ExceptionGroupsAsync(UsageTable table, int take, CancellationToken cancellationToken)
    {
        await using var connection = await _database.OpenAsync(cancellationToken);
        var groups = await connection.QueryAsync<ExceptionGroupDto>(new CommandDefinition(
            $"""
            SELECT u.billing_submission_id AS SubmissionId, s.status AS SubmissionStatus, u.billing_status AS RowStatus, COUNT(*) AS Rows,
                   MIN(u.id) AS FirstRowId, MAX(u.billing_run_id) AS RunId, COALESCE(s.status_reason, MIN(u.billing_error)) AS Reason,
                   s.customer_field AS CustomerField, s.customer_id AS CustomerId, s.item_field AS ItemField, s.item_id AS ItemId
            FROM {table.Name} u JOIN ub_submission s ON s.id = u.billing_submission_id
            WHERE u.billing_status IN ('held', 'rejected') AND s.status IN ('held', 'rejected')
            GROUP BY u.billing_submission_id, s.status, u.billing_status, s.status_reason, s.customer_field, s.customer_id, s.item_field, s.item_id
            ORDER BY u.billing_submission_id DESC LIMIT @Take
            """,
            new { Take = take }, cancellationToken: cancellationToken));
        return groups.Select(g => new ConsoleExceptionGroup(g.SubmissionId, g.SubmissionStatus, g.RowStatus, g.Rows, g.FirstRowId, g.RunId, g.Reason, g.CustomerField + "=" + g.CustomerId, g.ItemField + "=" + g.ItemId)).ToList();
    }

    public async Task<IReadOnlyList<ConsoleExceptionRow>> ExceptionRowsAsync(UsageTable table, int take, CancellationToken cancellationToken)
    {
        // Fixed column expressions per table, never from input.
        var (customer, item, note) = table == UsageTable.Whop
            ? ("COALESCE(u.membership_id, u.company_id)", "COALESCE(u.billing_item_id, u.billing_item_identifier)", "NULL")
            : ("u.subscription_id", "u.item_price_id", "u.note");
        await using var connection = await _database.OpenAsync(cancellationToken);
        var rows = await connection.QueryAsync<ExceptionRowDto>(new CommandDefinition(
            $"""
            SELECT u.id AS RowId, u.source_key AS SourceKey, u.billing_status AS Status, u.billing_error AS Reason, u.billing_run_id AS RunId,
                   u.billing_submission_id AS SubmissionId, u.occurred_at AS OccurredAt, {customer} AS Customer, {item} AS Item, {note} AS Note
            FROM {table.Name} u LEFT JOIN ub_submission s ON s.id = u.billing_submission_id
            WHERE u.billing_status IN ('held', 'rejected') AND (s.id IS NULL OR s.status NOT IN ('held', 'rejected'))
            ORDER BY u.id DESC LIMIT @Take
            """,
            new { Take = take }, cancellationToken: cancellationToken));
        return rows.Select(r => new ConsoleExceptionRow(r.RowId, r.SourceKey, r.Status, r.Reason, r.RunId, r.SubmissionId, r.OccurredAt, r.Customer, r.Item, r.Note)).ToList();
    }

    // Classes, not the records: SQLite reports a NULL column's type as a blob, which positional mapping refuses.
    private sealed class ExceptionGroupDto
    {
        public long SubmissionId { get; set; }
        public string SubmissionStatus { get; set; } = "";
        public string RowStatus { get; set; } = "";
        public long Rows { get; set; }
        public long FirstRowId { get; set; }
        public long? RunId { get; set; }
        public string? Reason { get; set; }
        public string CustomerField { get; set; } = "";
        public string CustomerId { get; set; } = "";
        public string ItemField { get; set; } = "";
        public string ItemId { get; set; } = "";
    }

    private sealed class ExceptionRowDto
    {
        public long RowId { get; set; }
        public string SourceKey { get; set; } = "";
        public string Status { get; set; } = "";
        public string? Reason { get; set; }
        public long? RunId { get; set; }
        public long? SubmissionId { get; set; }
        public string? OccurredAt { get; set; }
        public string? Customer { get; set; }
        public string? Item { get; set; }
        public string? Note { get; set; }
    }

    private sealed class ConsoleRunDto
    {
        public long Id { get; set; }
        public string Job { get; set; } = "";
        public string Status { get; set; } = "";
        public string StartedAt { get; set; } = "";
        public string? FinishedAt { get; set; }
        public long? ExitCode { get; set; }
        public string? Message { get; set; }
        public string? SummaryJson { get; set; }

        public ConsoleRun ToRun() => new(Id, Job, Status, UtcText.Parse(StartedAt), UtcText.ParseOrNull(FinishedAt), (int?)ExitCode, Message, SummaryJson);
    }
}
