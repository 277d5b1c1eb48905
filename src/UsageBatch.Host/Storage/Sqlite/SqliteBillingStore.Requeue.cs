using Dapper;
using Microsoft.Data.Sqlite;
using UsageBatch.Billing;
using static UsageBatch.Storage.Sqlite.SqliteDatabase;

namespace UsageBatch.Storage.Sqlite;

internal sealed partial class SqliteBillingStore : IRequeueStore
{
    public async Task<IReadOnlyList<HeldRow>> FindRequeuedBilledRowsAsync(UsageTable table, CancellationToken cancellationToken)
    {
        await using var connection = await _database.OpenAsync(cancellationToken);
        var rows = await connection.QueryAsync<(long Id, string? SourceKey, long SubmissionId, string Status, string? ProviderUsageId)>(new CommandDefinition(
            $"""
            SELECT u.id, u.source_key, u.billing_submission_id, s.status, u.provider_usage_id
            FROM {table.Name} u JOIN ub_submission s ON s.id = u.billing_submission_id
            WHERE u.billing_status = 'pending' AND s.status IN ('confirmed', 'zero', 'held')
            ORDER BY u.id
            """, cancellationToken: cancellationToken));
        return rows.Select(r => new HeldRow(table, r.Id, r.SourceKey, r.SubmissionId, HeldRow.RequeuedReason(table, r.Id, r.SubmissionId, r.Status, r.ProviderUsageId))).ToList();
    }

    public async Task<IReadOnlyList<HeldRow>> FindHeldRowsAsync(long rowId, CancellationToken cancellationToken)
    {
        await using var connection = await _database.OpenAsync(cancellationToken);
        var found = new List<HeldRow>();
        foreach (var table in new[] { UsageTable.Whop, UsageTable.Chargebee })
        {
            var row = await connection.QuerySingleOrDefaultAsync<(long Id, string? SourceKey, long? SubmissionId, string? Reason)?>(new CommandDefinition(
                $"SELECT id, source_key, billing_submission_id, billing_error FROM {table.Name} WHERE id = @Id AND billing_status = 'held'",
                new { Id = rowId }, cancellationToken: cancellationToken));
            if (row is { } r)
            {
                found.Add(new HeldRow(table, r.Id, r.SourceKey, r.SubmissionId, r.Reason));
            }
        }

        return found;
    }

    public async Task<int> ReopenSubmissionAsync(long submissionId, long runId, string status, string reason, string? providerUsageId, string? providerReceiptId,
        decimal? echoedTotal, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var submission = await GetSubmissionAsync(submissionId, cancellationToken)
            ?? throw new InvalidOperationException($"submission {submissionId} does not exist");
        var table = Storage.UsageTable.Parse(submission.UsageTable);
        await using var connection = await _database.OpenAsync(cancellationToken);
        await using var transaction = (SqliteTransaction)await connection.BeginTransactionAsync(cancellationToken);
        // Held rows of a submission can be many; SQLite takes them in one statement (no lock escalation here).
        var rows = await connection.ExecuteAsync(new CommandDefinition(
            $"UPDATE {table.Name} SET billing_status = 'claimed', billing_error = NULL WHERE billing_submission_id = @Id AND billing_status = 'held'",
            new { Id = submissionId }, transaction, cancellationToken: cancellationToken));
        await connection.ExecuteAsync(new CommandDefinition(
            """
            UPDATE ub_submission
            SET status = @Status, status_reason = @Reason, owner_run_id = @RunId, settled_at = NULL, updated_at = @Now,
                provider_usage_id = COALESCE(@UsageId, provider_usage_id), provider_receipt_id = COALESCE(@ReceiptId, provider_receipt_id),
                echoed_total = COALESCE(@Echoed, echoed_total)
            WHERE id = @Id AND status = 'held'
            """,
            new { Id = submissionId, Status = status, Reason = reason, RunId = runId, Now = Text(now), UsageId = providerUsageId, ReceiptId = providerReceiptId, Echoed = echoedTotal is { } e ? Text(e) : null },
            transaction, cancellationToken: cancellationToken));
        await InsertEventAsync(connection, transaction, submissionId, runId, now, "requeued", $"{status}: {reason}", providerUsageId, providerReceiptId, echoedTotal, cancellationToken: cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return rows;
    }

    public async Task RestoreBilledRowAsync(UsageTable table, long rowId, long runId, string providerUsageId, string? providerReceiptId, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var connection = await _database.OpenAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition(
            $"""
            UPDATE {table.Name}
            SET billing_status = 'billed', billing_error = NULL, billing_run_id = @RunId, provider_usage_id = @UsageId,
                provider_receipt_id = COALESCE(@ReceiptId, provider_receipt_id), billed_at = COALESCE(billed_at, @Now)
            WHERE id = @Id AND billing_status = 'held'
            """,
            new { Id = rowId, RunId = runId, UsageId = providerUsageId, ReceiptId = providerReceiptId, Now = Text(now) }, cancellationToken: cancellationToken));
    }

    public async Task ReleaseRowAsync(UsageTable table, long rowId, long runId, string reason, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var connection = await _database.OpenAsync(cancellationToken);
        await using var transaction = (SqliteTransaction)await connection.BeginTransactionAsync(cancellationToken);
        var source = await connection.ExecuteScalarAsync<string?>(new CommandDefinition(
            $"SELECT source_key FROM {table.Name} WHERE id = @Id", new { Id = rowId }, transaction, cancellationToken: cancellationToken));
        // Unlinked from the old submission, so the next run does not hold it again.
        await connection.ExecuteAsync(new CommandDefinition(
            $"""
            UPDATE {table.Name}
            SET billing_status = 'pending', billing_error = NULL, billing_run_id = @RunId, billing_submission_id = NULL,
                provider_usage_id = NULL, provider_receipt_id = NULL, billed_at = NULL
            WHERE id = @Id AND billing_status = 'held'
            """,
            new { Id = rowId, RunId = runId }, transaction, cancellationToken: cancellationToken));
        await InsertRowExceptionAsync(connection, transaction, runId, table, rowId, source, null, "released", reason, now, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
    }
}
