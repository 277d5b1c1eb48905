using Dapper;
using static UsageBatch.Storage.SqlServer.SqlServerDatabase;

namespace UsageBatch.Storage.SqlServer;

/// <summary>The operator console's reads (<see cref="IConsoleStore"/>): plain, parameterized, schema-qualified like the rest.</summary>
internal sealed partial class SqlServerBillingStore : IConsoleStore
{
    private const string ConsoleSchemaVersionSql = """
        SELECT CASE WHEN OBJECT_ID(N'[$(Schema)].ub_schema_version', N'U') IS NULL THEN 0
                    ELSE (SELECT COALESCE(MAX(version), 0) FROM [$(Schema)].ub_schema_version) END;
        """;

    private const string ConsoleLastRunSql = """
        SELECT TOP (1) id, job, status, started_at, finished_at, exit_code, message, summary_json
        FROM [$(Schema)].ub_run
        WHERE job = @Job AND (@Completed = 0 OR status IN ('succeeded', 'attention'))
        ORDER BY id DESC;
        """;

    private const string ConsoleOldestPendingSql = """
        SELECT MIN(occurred_at) FROM [$(Schema)].$(UsageTable) WHERE billing_status = 'pending';
        """;

    private const string ConsoleRunsSql = """
        SELECT id, job, status, started_at, finished_at, exit_code, message, summary_json
        FROM [$(Schema)].ub_run
        WHERE (@Job IS NULL OR job = @Job) AND (@Status IS NULL OR status = @Status)
        ORDER BY id DESC
        OFFSET @Skip ROWS FETCH NEXT @Take ROWS ONLY;
        """;

    private const string ConsoleRunCountSql = """
        SELECT COUNT_BIG(*) FROM [$(Schema)].ub_run
        WHERE (@Job IS NULL OR job = @Job) AND (@Status IS NULL OR status = @Status);
        """;

    private const string ConsoleExceptionGroupsSql = """
        SELECT TOP (@Take) u.billing_submission_id AS SubmissionId, s.status AS SubmissionStatus, u.billing_status AS RowStatus,
               COUNT_BIG(*) AS Rows, MIN(u.id) AS FirstRowId, MAX(u.billing_run_id) AS RunId,
               COALESCE(s.status_reason, MIN(u.billing_error)) AS Reason,
               s.customer_field AS CustomerField, s.customer_id AS CustomerId, s.item_field AS ItemField, s.item_id AS ItemId
        FROM [$(Schema)].$(UsageTable) AS u
        JOIN [$(Schema)].ub_submission AS s ON s.id = u.billing_submission_id
        WHERE u.billing_status IN ('held', 'rejected') AND s.status IN ('held', 'rejected')
        GROUP BY u.billing_submission_id, s.status, u.billing_status, s.status_reason, s.customer_field, s.customer_id, s.item_field, s.item_id
        ORDER BY u.billing_submission_id DESC;
        """;

    private const string ConsoleWhopExceptionRowsSql = """
        SELECT TOP (@Take) u.id AS RowId, u.source_key AS SourceKey, u.billing_status AS Status, u.billing_error AS Reason,
               u.billing_run_id AS RunId, u.billing_submission_id AS SubmissionId, u.occurred_at AS OccurredAt,
               COALESCE(u.membership_id, u.company_id) AS Customer, COALESCE(u.billing_item_id, u.billing_item_identifier) AS Item,
               CAST(NULL AS nvarchar(500)) AS Note
        FROM [$(Schema)].whop_usage AS u
        LEFT JOIN [$(Schema)].ub_submission AS s ON s.id = u.billing_submission_id
        WHERE u.billing_status IN ('held', 'rejected') AND (s.id IS NULL OR s.status NOT IN ('held', 'rejected'))
        ORDER BY u.id DESC;
        """;

    private const string ConsoleChargebeeExceptionRowsSql = """
        SELECT TOP (@Take) u.id AS RowId, u.source_key AS SourceKey, u.billing_status AS Status, u.billing_error AS Reason,
               u.billing_run_id AS RunId, u.billing_submission_id AS SubmissionId, u.occurred_at AS OccurredAt,
               u.subscription_id AS Customer, u.item_price_id AS Item, u.note AS Note
        FROM [$(Schema)].chargebee_usage AS u
        LEFT JOIN [$(Schema)].ub_submission AS s ON s.id = u.billing_submission_id
        WHERE u.billing_status IN ('held', 'rejected') AND (s.id IS NULL OR s.status NOT IN ('held', 'rejected'))
        ORDER BY u.id DESC;
        """;

    public async Task<int> SchemaVersionAsync(CancellationToken cancellationToken)
    {
        await using var connection = await _database.OpenAsync(cancellationToken);
        return await connection.ExecuteScalarAsync<int>(new CommandDefinition(_database.Sql(ConsoleSchemaVersionSql), cancellationToken: cancellationToken));
    }

    public async Task<ConsoleRun?> LastRunAsync(string job, bool completedOnly, CancellationToken cancellationToken)
    {
        await using var connection = await _database.OpenAsync(cancellationToken);
        var row = await connection.QueryFirstOrDefaultAsync<ConsoleRunDto>(new CommandDefinition(_database.Sql(ConsoleLastRunSql),
            new { Job = job, Completed = completedOnly ? 1 : 0 }, cancellationToken: cancellationToken));
        return row?.ToRun();
    }

    public async Task<DateTimeOffset?> OldestPendingAsync(UsageTable table, CancellationToken cancellationToken)
    {
        await using var connection = await _database.OpenAsync(cancellationToken);
        var oldest = await connection.ExecuteScalarAsync<DateTime?>(new CommandDefinition(_database.Sql(ConsoleOldestPendingSql, table), cancellationToken: cancellationToken));
        return Utc(oldest);
    }

    public async Task<(IReadOnlyList<ConsoleRun> Runs, long Total)> RunsAsync(string? job, string? status, int skip, int take, CancellationToken cancellationToken)
    {
        await using var connection = await _database.OpenAsync(cancellationToken);
        var filter = new { Job = job, Status = Ansi(status, 10), Skip = skip, Take = take };
        var rows = await connection.QueryAsync<ConsoleRunDto>(new CommandDefinition(_database.Sql(ConsoleRunsSql), filter, cancellationToken: cancellationToken));
        var total = await connection.ExecuteScalarAsync<long>(new CommandDefinition(_database.Sql(ConsoleRunCountSql), filter, cancellationToken: cancellationToken));
        return (rows.Select(r => r.ToRun()).ToList(), total);
    }

    public async Task<IReadOnlyList<ConsoleExceptionGroup>> ExceptionGroupsAsync(UsageTable table, int take, CancellationToken cancellationToken)
    {
        await using var connection = await _database.OpenAsync(cancellationToken);
        var groups = await connection.QueryAsync<ExceptionGroupDto>(new CommandDefinition(_database.Sql(ConsoleExceptionGroupsSql, table),
            new { Take = take }, cancellationToken: cancellationToken));
        return groups.Select(g => new ConsoleExceptionGroup(g.SubmissionId, g.SubmissionStatus, g.RowStatus, g.Rows, g.FirstRowId, g.RunId, g.Reason, g.CustomerField + "=" + g.CustomerId, g.ItemField + "=" + g.ItemId)).ToList();
    }

    public async Task<IReadOnlyList<ConsoleExceptionRow>> ExceptionRowsAsync(UsageTable table, int take, CancellationToken cancellationToken)
    {
        await using var connection = await _database.OpenAsync(cancellationToken);
        var rows = await connection.QueryAsync<ExceptionRowDto>(new CommandDefinition(
            _database.Sql(table == UsageTable.Whop ? ConsoleWhopExceptionRowsSql : ConsoleChargebeeExceptionRowsSql),
            new { Take = take }, cancellationToken: cancellationToken));
        return rows.Select(r => new ConsoleExceptionRow(r.RowId, r.SourceKey, r.Status, r.Reason, r.RunId, r.SubmissionId,
            r.OccurredAt is { } at ? Usage.UtcText.Format(Utc(at)) : null, r.Customer, r.Item, r.Note)).ToList();
    }

    private sealed class ConsoleRunDto
    {
        public long Id { get; set; }
        public string Job { get; set; } = "";
        public string Status { get; set; } = "";
        public DateTime StartedAt { get; set; }
        public DateTime? FinishedAt { get; set; }
        public int? ExitCode { get; set; }
        public string? Message { get; set; }
        public string? SummaryJson { get; set; }

        public ConsoleRun ToRun() => new(Id, Job, Status, Utc(StartedAt), Utc(FinishedAt), ExitCode, Message, SummaryJson);
    }

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
        public DateTime? OccurredAt { get; set; }
        public string? Customer { get; set; }
        public string? Item { get; set; }
        public string? Note { get; set; }
    }
}
