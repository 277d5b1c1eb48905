using Dapper;
using Microsoft.Data.Sqlite;
using UsageBatch.Billing;
using UsageBatch.Providers;
using UsageBatch.Reports;
using UsageBatch.Usage;
using static UsageBatch.Storage.Sqlite.SqliteDatabase;

namespace UsageBatch.Storage.Sqlite;

/// <summary>Reads for reports and reconciliation (<see cref="IReportStore"/>).</summary>
internal sealed partial class SqliteBillingStore : IReportStore
{
    // SQLite limits bound parameters per statement; id lists are sent in chunks well under it.
    private const int IdChunk = 400;
    private const int ReceiptBatchSize = 4000;

    public async Task<ReportRunRow?> GetRunAsync(long runId, CancellationToken cancellationToken)
    {
        await using var connection = await _database.OpenAsync(cancellationToken);
        var row = await connection.QuerySingleOrDefaultAsync<RunDto>(new CommandDefinition(
            """
            SELECT id, job, provider_account, usage_table, status, dry_run, scheduled_at, cutoff, started_at, finished_at,
                   host, exit_code, message, summary_json
            FROM ub_run WHERE id = @RunId
            """,
            new { RunId = runId }, cancellationToken: cancellationToken));
        return row is null
            ? null
            : new ReportRunRow(row.Id, row.Job, row.ProviderAccount, row.UsageTable, row.Status, row.DryRun != 0,
                UtcText.Parse(row.ScheduledAt), UtcText.Parse(row.Cutoff), UtcText.Parse(row.StartedAt), UtcText.ParseOrNull(row.FinishedAt),
                row.Host, (int?)row.ExitCode, row.Message, row.SummaryJson);
    }

    public async Task<long?> LastFinishedRunIdAsync(string? job, CancellationToken cancellationToken)
    {
        await using var connection = await _database.OpenAsync(cancellationToken);
        return await connection.ExecuteScalarAsync<long?>(new CommandDefinition(
            "SELECT MAX(id) FROM ub_run WHERE status <> 'running' AND (@Job IS NULL OR job = @Job)",
            new { Job = job }, cancellationToken: cancellationToken));
    }

    public async Task<IReadOnlyList<ReportSubmissionRow>> SubmissionsForReportAsync(long runId, CancellationToken cancellationToken)
    {
        var submissions = await SubmissionsOfRunAsync(runId, cancellationToken);
        await using var connection = await _database.OpenAsync(cancellationToken);
        var rowIds = (await connection.QueryAsync<(long Id, string RowIds)>(new CommandDefinition(
            """
            SELECT id, row_ids FROM ub_submission
            WHERE created_run_id = @RunId OR id IN (SELECT submission_id FROM ub_submission_event WHERE run_id = @RunId)
            """,
            new { RunId = runId }, cancellationToken: cancellationToken))).ToDictionary(r => r.Id, r => r.RowIds);
        return submissions.Select(s => new ReportSubmissionRow(s, rowIds.GetValueOrDefault(s.Id, ""))).ToList();
    }

    public async Task<IReadOnlyList<ReportEventRow>> EventsOfRunAsync(long runId, CancellationToken cancellationToken)
    {
        await using var connection = await _database.OpenAsync(cancellationToken);
        var rows = await connection.QueryAsync<EventDto>(new CommandDefinition(
            """
            SELECT submission_id, at, event, detail, provider_usage_id, provider_receipt_id, echoed_total, http_status, provider_code
            FROM ub_submission_event WHERE run_id = @RunId ORDER BY id
            """,
            new { RunId = runId }, cancellationToken: cancellationToken));
        return rows.Select(e => new ReportEventRow(e.SubmissionId, UtcText.Parse(e.At), e.Event, e.Detail, e.ProviderUsageId, e.ProviderReceiptId,
            e.EchoedTotal is null ? null : DecimalText.Parse(e.EchoedTotal), (int?)e.HttpStatus, e.ProviderCode)).ToList();
    }

    public async Task<IReadOnlyList<ReportExceptionRow>> RowExceptionsOfRunAsync(long runId, CancellationToken cancellationToken)
    {
        await using var connection = await _database.OpenAsync(cancellationToken);
        var rows = await connection.QueryAsync<ExceptionDto>(new CommandDefinition(
            """
            SELECT row_id, usage_table, source_key, submission_id, kind, reason, at
            FROM ub_row_exception WHERE run_id = @RunId ORDER BY id
            """,
            new { RunId = runId }, cancellationToken: cancellationToken));
        return rows.Select(x => new ReportExceptionRow(x.RowId, x.UsageTable, x.SourceKey, x.SubmissionId, x.Kind, x.Reason, UtcText.Parse(x.At))).ToList();
    }

    public async Task<IReadOnlyDictionary<string, int>> ConfirmedCountsAsync(string providerAccount, IReadOnlyCollection<string> subscriptionIds, long upToRunId, CancellationToken cancellationToken)
    {
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        await using var connection = await _database.OpenAsync(cancellationToken);
        foreach (var chunk in subscriptionIds.Distinct(StringComparer.Ordinal).Chunk(IdChunk))
        {
            // Counted from events, not from the submissions' current status, so a later run cannot change this run's report.
            var rows = await connection.QueryAsync<(string Subscription, long Count)>(new CommandDefinition(
                """
                SELECT s.customer_id, COUNT(DISTINCT s.id)
                FROM ub_submission s JOIN ub_submission_event e ON e.submission_id = s.id
                WHERE s.provider_account = @Account AND s.customer_field = 'subscription_id' AND s.customer_id IN @Ids
                  AND e.event = 'confirmed' AND e.run_id <= @RunId
                GROUP BY s.customer_id
                """,
                new { Account = providerAccount, Ids = chunk, RunId = upToRunId }, cancellationToken: cancellationToken));
            foreach (var (subscription, count) in rows)
            {
                counts[subscription] = (int)count;
            }
        }

        return counts;
    }

    public async Task<IReadOnlyList<LedgerSubmission>> ConfirmedInPeriodAsync(string providerAccount, ProviderKind kind, DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken)
    {
        // Column names are fixed here, never taken from values.
        var column = kind == ProviderKind.Chargebee ? "usage_date" : "last_attempt_at";
        await using var connection = await _database.OpenAsync(cancellationToken);
        var rows = await connection.QueryAsync<SubmissionRowDto>(new CommandDefinition(
            $"""
            SELECT {SubmissionColumns} FROM ub_submission
            WHERE provider_account = @Account AND status = 'confirmed' AND {column} >= @From AND {column} < @To
            ORDER BY id
            """,
            new { Account = providerAccount, From = Text(from), To = Text(to) }, cancellationToken: cancellationToken));
        return rows.Select(r => r.ToLedger()).ToList();
    }

    public async Task<IReadOnlyList<LedgerSubmission>> SubmissionsByUsageIdsAsync(string providerAccount, IReadOnlyCollection<string> usageIds, CancellationToken cancellationToken)
    {
        var found = new List<LedgerSubmission>();
        await using var connection = await _database.OpenAsync(cancellationToken);
        foreach (var chunk in usageIds.Distinct(StringComparer.Ordinal).Chunk(IdChunk))
        {
            var rows = await connection.QueryAsync<SubmissionRowDto>(new CommandDefinition(
                $"""
                SELECT {SubmissionColumns} FROM ub_submission
                WHERE provider_account = @Account AND (provider_usage_id IN @Ids OR usage_id IN @Ids)
                """,
                new { Account = providerAccount, Ids = chunk }, cancellationToken: cancellationToken));
            found.AddRange(rows.Select(r => r.ToLedger()));
        }

        return found.DistinctBy(s => s.Id).OrderBy(s => s.Id).ToList();
    }

    public async Task<int> RecordReceiptAsync(long submissionId, string receiptId, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var submission = await GetSubmissionAsync(submissionId, cancellationToken)
            ?? throw new InvalidOperationException($"submission {submissionId} does not exist");
        var table = Storage.UsageTable.Parse(submission.UsageTable);
        await using var connection = await _database.OpenAsync(cancellationToken);
        await using var transaction = (SqliteTransaction)await connection.BeginTransactionAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition(
            "UPDATE ub_submission SET provider_receipt_id = @ReceiptId, updated_at = @Now WHERE id = @Id",
            new { Id = submissionId, ReceiptId = receiptId, Now = Text(now) }, transaction, cancellationToken: cancellationToken));
        await transaction.CommitAsync(cancellationToken);
        // The rows follow in batches of the claim size (under SQL Server's lock escalation threshold), each its own
        // short transaction; a re-run of reconcile finishes whatever a crash left.
        var rows = 0;
        while (true)
        {
            var changed = await connection.ExecuteAsync(new CommandDefinition(
                $"""
                UPDATE {table.Name} SET provider_receipt_id = @ReceiptId
                WHERE id IN (SELECT id FROM {table.Name}
                             WHERE billing_submission_id = @Id AND billing_status = 'billed'
                               AND (provider_receipt_id IS NULL OR provider_receipt_id <> @ReceiptId)
                             ORDER BY id LIMIT @BatchSize)
                """,
                new { Id = submissionId, ReceiptId = receiptId, BatchSize = ReceiptBatchSize }, cancellationToken: cancellationToken));
            rows += changed;
            if (changed < ReceiptBatchSize)
            {
                return rows;
            }
        }
    }

    private sealed class RunDto
    {
        public long Id { get; set; }
        public string Job { get; set; } = "";
        public string ProviderAccount { get; set; } = "";
        public string UsageTable { get; set; } = "";
        public string Status { get; set; } = "";
        public long DryRun { get; set; }
        public string ScheduledAt { get; set; } = "";
        public string Cutoff { get; set; } = "";
        public string StartedAt { get; set; } = "";
        public string? FinishedAt { get; set; }
        public string Host { get; set; } = "";
        public long? ExitCode { get; set; }
        public string? Message { get; set; }
        public string? SummaryJson { get; set; }
    }

    private sealed class EventDto
    {
        public long SubmissionId { get; set; }
        public string At { get; set; } = "";
        public string Event { get; set; } = "";
        public string? Detail { get; set; }
        public string? ProviderUsageId { get; set; }
        public string? ProviderReceiptId { get; set; }
        public string? EchoedTotal { get; set; }
        public long? HttpStatus { get; set; }
        public string? ProviderCode { get; set; }
    }

    private sealed class ExceptionDto
    {
        public long RowId { get; set; }
        public string UsageTable { get; set; } = "";
        public string? SourceKey { get; set; }
        public long? SubmissionId { get; set; }
        public string Kind { get; set; } = "";
        public string Reason { get; set; } = "";
        public string At { get; set; } = "";
    }
}
