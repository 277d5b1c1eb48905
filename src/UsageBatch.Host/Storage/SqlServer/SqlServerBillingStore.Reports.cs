using System.Data;
using Dapper;
using Microsoft.Data.SqlClient;
using UsageBatch.Billing;
using UsageBatch.Providers;
using UsageBatch.Reports;
using static UsageBatch.Storage.SqlServer.SqlServerDatabase;

namespace UsageBatch.Storage.SqlServer;

/// <summary>Reads for reports and reconciliation (<see cref="IReportStore"/>), and reconcile's one write, the receipt.</summary>
internal sealed partial class SqlServerBillingStore : IReportStore
{
    private const string GetRunSql = """
        SELECT id, job, provider_account, usage_table, status, dry_run, scheduled_at, cutoff, started_at, finished_at,
               host, exit_code, message, summary_json
        FROM [$(Schema)].ub_run WHERE id = @RunId;
        """;

    private const string LastFinishedRunSql = """
        SELECT MAX(id) FROM [$(Schema)].ub_run WHERE status <> 'running' AND (@Job IS NULL OR job = @Job);
        """;

    private const string RowIdsOfRunSql = """
        SELECT id, row_ids FROM [$(Schema)].ub_submission
        WHERE created_run_id = @RunId OR id IN (SELECT submission_id FROM [$(Schema)].ub_submission_event WHERE run_id = @RunId);
        """;

    private const string EventsOfRunSql = """
        SELECT submission_id, at, event, detail, provider_usage_id, provider_receipt_id, echoed_total, http_status, provider_code
        FROM [$(Schema)].ub_submission_event WHERE run_id = @RunId ORDER BY id;
        """;

    private const string RowExceptionsOfRunSql = """
        SELECT row_id, usage_table, source_key, submission_id, kind, reason, at
        FROM [$(Schema)].ub_row_exception WHERE run_id = @RunId ORDER BY id;
        """;

    // Counted from events, not from the submissions' current status, so a later run cannot change this run's report.
    // @Ids is expanded by Dapper into one parameter per id (a chunk of IdChunk, far under SQL Server's 2,100).
    private const string ConfirmedCountsSql = """
        SELECT s.customer_id, COUNT(DISTINCT s.id)
        FROM [$(Schema)].ub_submission AS s JOIN [$(Schema)].ub_submission_event AS e ON e.submission_id = s.id
        WHERE s.provider_account = @Account AND s.customer_field = 'subscription_id' AND s.customer_id IN @Ids
          AND e.event = 'confirmed' AND e.run_id <= @RunId
        GROUP BY s.customer_id;
        """;

    // Two statements rather than a spliced column name: Chargebee's provider-side date is usage_date, Whop's the
    // time of the attempt the provider accepted.
    private const string ConfirmedInPeriodChargebeeSql = """
        SELECT $(SubmissionColumns) FROM [$(Schema)].ub_submission AS s
        WHERE s.provider_account = @Account AND s.status = 'confirmed' AND s.usage_date >= @From AND s.usage_date < @To
        ORDER BY s.id;
        """;

    private const string ConfirmedInPeriodWhopSql = """
        SELECT $(SubmissionColumns) FROM [$(Schema)].ub_submission AS s
        WHERE s.provider_account = @Account AND s.status = 'confirmed' AND s.last_attempt_at >= @From AND s.last_attempt_at < @To
        ORDER BY s.id;
        """;

    private const string SubmissionsByUsageIdsSql = """
        SELECT $(SubmissionColumns) FROM [$(Schema)].ub_submission AS s
        WHERE s.provider_account = @Account AND (s.provider_usage_id IN @Ids OR s.usage_id IN @Ids);
        """;

    private const string RecordReceiptSql = """
        UPDATE [$(Schema)].ub_submission WITH (ROWLOCK, READCOMMITTEDLOCK)
        SET provider_receipt_id = @ReceiptId, updated_at = @Now WHERE id = @Id;
        """;

    // TOP (@BatchSize): at most MaxRowsPerStatement rows per statement (each its own short transaction), under the
    // 5,000 locks at which SQL Server escalates to a table lock. Rows already carrying the receipt are skipped, so
    // each batch makes progress and a re-run of reconcile finishes whatever a crash left.
    private const string RecordReceiptRowsSql = """
        UPDATE TOP (@BatchSize) [$(Schema)].$(UsageTable) WITH (ROWLOCK, READCOMMITTEDLOCK)
        SET provider_receipt_id = @ReceiptId
        WHERE billing_submission_id = @Id AND billing_status = 'billed'
          AND (provider_receipt_id IS NULL OR provider_receipt_id <> @ReceiptId);
        """;

    // Id lists are sent in chunks of this many parameters per statement.
    private const int IdChunk = 400;

    public async Task<ReportRunRow?> GetRunAsync(long runId, CancellationToken cancellationToken)
    {
        await using var connection = await _database.OpenAsync(cancellationToken);
        var row = await connection.QuerySingleOrDefaultAsync<RunRow>(new CommandDefinition(_database.Sql(GetRunSql),
            new { RunId = runId }, cancellationToken: cancellationToken));
        return row is null
            ? null
            : new ReportRunRow(row.Id, row.Job, row.ProviderAccount, row.UsageTable, row.Status, row.DryRun,
                Utc(row.ScheduledAt), Utc(row.Cutoff), Utc(row.StartedAt), Utc(row.FinishedAt),
                row.Host, row.ExitCode, row.Message, row.SummaryJson);
    }

    public async Task<long?> LastFinishedRunIdAsync(string? job, CancellationToken cancellationToken)
    {
        await using var connection = await _database.OpenAsync(cancellationToken);
        return await connection.ExecuteScalarAsync<long?>(new CommandDefinition(_database.Sql(LastFinishedRunSql),
            new { Job = new DbString { Value = job, Length = 200 } }, cancellationToken: cancellationToken));
    }

    public async Task<IReadOnlyList<ReportSubmissionRow>> SubmissionsForReportAsync(long runId, CancellationToken cancellationToken)
    {
        var submissions = await SubmissionsOfRunAsync(runId, cancellationToken);
        await using var connection = await _database.OpenAsync(cancellationToken);
        var rowIds = (await connection.QueryAsync<(long Id, string RowIds)>(new CommandDefinition(_database.Sql(RowIdsOfRunSql),
            new { RunId = runId }, cancellationToken: cancellationToken))).ToDictionary(r => r.Id, r => r.RowIds);
        return submissions.Select(s => new ReportSubmissionRow(s, rowIds.GetValueOrDefault(s.Id, ""))).ToList();
    }

    public async Task<IReadOnlyList<ReportEventRow>> EventsOfRunAsync(long runId, CancellationToken cancellationToken)
    {
        await using var connection = await _database.OpenAsync(cancellationToken);
        var rows = await connection.QueryAsync<EventRow>(new CommandDefinition(_database.Sql(EventsOfRunSql),
            new { RunId = runId }, cancellationToken: cancellationToken));
        return rows.Select(e => new ReportEventRow(e.SubmissionId, Utc(e.At), e.Event, e.Detail, e.ProviderUsageId, e.ProviderReceiptId,
            e.EchoedTotal, e.HttpStatus, e.ProviderCode)).ToList();
    }

    public async Task<IReadOnlyList<ReportExceptionRow>> RowExceptionsOfRunAsync(long runId, CancellationToken cancellationToken)
    {
        await using var connection = await _database.OpenAsync(cancellationToken);
        var rows = await connection.QueryAsync<ExceptionRow>(new CommandDefinition(_database.Sql(RowExceptionsOfRunSql),
            new { RunId = runId }, cancellationToken: cancellationToken));
        return rows.Select(x => new ReportExceptionRow(x.RowId, x.UsageTable, x.SourceKey, x.SubmissionId, x.Kind, x.Reason, Utc(x.At))).ToList();
    }

    public async Task<IReadOnlyDictionary<string, int>> ConfirmedCountsAsync(string providerAccount, IReadOnlyCollection<string> subscriptionIds, long upToRunId, CancellationToken cancellationToken)
    {
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        await using var connection = await _database.OpenAsync(cancellationToken);
        foreach (var chunk in subscriptionIds.Distinct(StringComparer.Ordinal).Chunk(IdChunk))
        {
            var rows = await connection.QueryAsync<(string Subscription, int Count)>(new CommandDefinition(_database.Sql(ConfirmedCountsSql),
                new { Account = providerAccount, Ids = chunk, RunId = upToRunId }, cancellationToken: cancellationToken));
            foreach (var (subscription, count) in rows)
            {
                counts[subscription] = count;
            }
        }

        return counts;
    }

    public async Task<IReadOnlyList<LedgerSubmission>> ConfirmedInPeriodAsync(string providerAccount, ProviderKind kind, DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken)
    {
        await using var connection = await _database.OpenAsync(cancellationToken);
        var rows = await connection.QueryAsync<SqlServerSubmissionRow>(new CommandDefinition(
            Ledger(kind == ProviderKind.Chargebee ? ConfirmedInPeriodChargebeeSql : ConfirmedInPeriodWhopSql),
            new { Account = providerAccount, From = Time(from), To = Time(to) }, cancellationToken: cancellationToken));
        return rows.Select(r => r.ToLedger()).ToList();
    }

    public async Task<IReadOnlyList<LedgerSubmission>> SubmissionsByUsageIdsAsync(string providerAccount, IReadOnlyCollection<string> usageIds, CancellationToken cancellationToken)
    {
        var found = new List<LedgerSubmission>();
        await using var connection = await _database.OpenAsync(cancellationToken);
        foreach (var chunk in usageIds.Distinct(StringComparer.Ordinal).Chunk(IdChunk))
        {
            var rows = await connection.QueryAsync<SqlServerSubmissionRow>(new CommandDefinition(Ledger(SubmissionsByUsageIdsSql),
                new { Account = providerAccount, Ids = chunk }, cancellationToken: cancellationToken));
            found.AddRange(rows.Select(r => r.ToLedger()));
        }

        return found.DistinctBy(s => s.Id).OrderBy(s => s.Id).ToList();
    }

    public async Task<int> RecordReceiptAsync(long submissionId, string receiptId, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var submission = await GetSubmissionAsync(submissionId, cancellationToken)
            ?? throw new InvalidOperationException($"submission {submissionId} does not exist");
        var table = UsageTable.Parse(submission.UsageTable);
        await using var connection = await _database.OpenAsync(cancellationToken);
        await InTransactionAsync(connection, transaction => connection.ExecuteAsync(new CommandDefinition(_database.Sql(RecordReceiptSql),
            new { Id = submissionId, ReceiptId = Ansi(receiptId, ProviderIdLength), Now = Time(now) }, transaction, cancellationToken: cancellationToken)), cancellationToken);

        // The rows follow in batches, each statement its own short transaction (autocommit).
        var rows = 0;
        while (true)
        {
            var changed = await connection.ExecuteAsync(new CommandDefinition(_database.Sql(RecordReceiptRowsSql, table),
                new { Id = submissionId, ReceiptId = Ansi(receiptId, ProviderIdLength), BatchSize = MaxRowsPerStatement }, cancellationToken: cancellationToken));
            rows += changed;
            if (changed < MaxRowsPerStatement)
            {
                return rows;
            }
        }
    }

    private sealed class RunRow
    {
        public long Id { get; set; }
        public string Job { get; set; } = "";
        public string ProviderAccount { get; set; } = "";
        public string UsageTable { get; set; } = "";
        public string Status { get; set; } = "";
        public bool DryRun { get; set; }
        public DateTime ScheduledAt { get; set; }
        public DateTime Cutoff { get; set; }
        public DateTime StartedAt { get; set; }
        public DateTime? FinishedAt { get; set; }
        public string Host { get; set; } = "";
        public int? ExitCode { get; set; }
        public string? Message { get; set; }
        public string? SummaryJson { get; set; }
    }

    private sealed class EventRow
    {
        public long SubmissionId { get; set; }
        public DateTime At { get; set; }
        public string Event { get; set; } = "";
        public string? Detail { get; set; }
        public string? ProviderUsageId { get; set; }
        public string? ProviderReceiptId { get; set; }
        public decimal? EchoedTotal { get; set; }
        public int? HttpStatus { get; set; }
        public string? ProviderCode { get; set; }
    }

    private sealed class ExceptionRow
    {
        public long RowId { get; set; }
        public string UsageTable { get; set; } = "";
        public string? SourceKey { get; set; }
        public long? SubmissionId { get; set; }
        public string Kind { get; set; } = "";
        public string Reason { get; set; } = "";
        public DateTime At { get; set; }
    }
}
