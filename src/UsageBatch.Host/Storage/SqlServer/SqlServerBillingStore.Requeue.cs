using System.Data;
using Dapper;
using Microsoft.Data.SqlClient;
using UsageBatch.Billing;
using static UsageBatch.Storage.SqlServer.SqlServerDatabase;

namespace UsageBatch.Storage.SqlServer;

/// <summary>What `usagebatch requeue` needs (<see cref="IRequeueStore"/>): finding held rows and releasing them.</summary>
internal sealed partial class SqlServerBillingStore : IRequeueStore
{
    private const string FindHeldRowSql = """
        SELECT id, source_key, billing_submission_id, billing_error FROM [$(Schema)].$(UsageTable) WHERE id = @Id AND billing_status = 'held';
        """;

    // The rows HoldRequeuedSql would hold, read only (a dry run): no locks kept, nothing written.
    private const string FindRequeuedBilledSql = """
        SELECT u.id, u.source_key, u.billing_submission_id, s.status, u.provider_usage_id
        FROM [$(Schema)].$(UsageTable) AS u
        JOIN [$(Schema)].ub_submission AS s ON s.id = u.billing_submission_id
        WHERE u.billing_status = 'pending' AND s.status IN ('confirmed', 'zero', 'held')
        ORDER BY u.id;
        """;

    // A held submission's rows can be many: they go back to 'claimed' TOP (@BatchSize) at a time, each batch its own
    // short transaction, under the 5,000 locks at which SQL Server escalates to a table lock.
    private const string ReopenRowsBatchSql = """
        UPDATE TOP (@BatchSize) [$(Schema)].$(UsageTable) WITH (ROWLOCK, READCOMMITTEDLOCK)
        SET billing_status = 'claimed', billing_error = NULL
        WHERE billing_submission_id = @Id AND billing_status = 'held';
        """;

    // Only a submission still held is reopened, and only in the transaction of the last row batch: until then it
    // stays held and settled, so a crash halfway leaves nothing a run could adopt and send with rows still held;
    // running requeue again finishes the rows.
    private const string ReopenSubmissionSql = """
        UPDATE [$(Schema)].ub_submission WITH (ROWLOCK, READCOMMITTEDLOCK)
        SET status = @Status, status_reason = @Reason, owner_run_id = @RunId, settled_at = NULL, updated_at = @Now,
            provider_usage_id = COALESCE(@UsageId, provider_usage_id), provider_receipt_id = COALESCE(@ReceiptId, provider_receipt_id),
            echoed_total = COALESCE(@Echoed, echoed_total)
        WHERE id = @Id AND status = 'held';
        """;

    private const string RestoreBilledRowSql = """
        UPDATE [$(Schema)].$(UsageTable) WITH (ROWLOCK, READCOMMITTEDLOCK)
        SET billing_status = 'billed', billing_error = NULL, billing_run_id = @RunId, provider_usage_id = @UsageId,
            provider_receipt_id = COALESCE(@ReceiptId, provider_receipt_id), billed_at = COALESCE(billed_at, @Now)
        WHERE id = @Id AND billing_status = 'held';
        """;

    private const string SourceKeyOfRowSql = "SELECT source_key FROM [$(Schema)].$(UsageTable) WHERE id = @Id;";

    // Unlinked from the old submission, so the next run does not hold it again.
    private const string ReleaseRowSql = """
        UPDATE [$(Schema)].$(UsageTable) WITH (ROWLOCK, READCOMMITTEDLOCK)
        SET billing_status = 'pending', billing_error = NULL, billing_run_id = @RunId, billing_submission_id = NULL,
            provider_usage_id = NULL, provider_receipt_id = NULL, billed_at = NULL
        WHERE id = @Id AND billing_status = 'held';
        """;

    public async Task<IReadOnlyList<HeldRow>> FindRequeuedBilledRowsAsync(UsageTable table, CancellationToken cancellationToken)
    {
        await using var connection = await _database.OpenAsync(cancellationToken);
        var rows = await connection.QueryAsync<(long Id, string? SourceKey, long SubmissionId, string Status, string? ProviderUsageId)>(
            new CommandDefinition(_database.Sql(FindRequeuedBilledSql, table), cancellationToken: cancellationToken));
        return rows.Select(r => new HeldRow(table, r.Id, r.SourceKey, r.SubmissionId, HeldRow.RequeuedReason(table, r.Id, r.SubmissionId, r.Status, r.ProviderUsageId))).ToList();
    }

    public async Task<IReadOnlyList<HeldRow>> FindHeldRowsAsync(long rowId, CancellationToken cancellationToken)
    {
        await using var connection = await _database.OpenAsync(cancellationToken);
        var found = new List<HeldRow>();
        foreach (var table in new[] { UsageTable.Whop, UsageTable.Chargebee })
        {
            var row = await connection.QuerySingleOrDefaultAsync<(long Id, string? SourceKey, long? SubmissionId, string? Reason)?>(new CommandDefinition(
                _database.Sql(FindHeldRowSql, table), new { Id = rowId }, cancellationToken: cancellationToken));
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
        var table = UsageTable.Parse(submission.UsageTable);
        var rows = 0;
        await using var connection = await _database.OpenAsync(cancellationToken);
        while (true)
        {
            var (count, done) = await InTransactionAsync(connection, async transaction =>
            {
                var count = await connection.ExecuteAsync(new CommandDefinition(_database.Sql(ReopenRowsBatchSql, table),
                    new { Id = submissionId, BatchSize = MaxRowsPerStatement }, transaction, cancellationToken: cancellationToken));
                if (count == MaxRowsPerStatement)
                {
                    return (count, false);
                }

                await connection.ExecuteAsync(new CommandDefinition(_database.Sql(ReopenSubmissionSql),
                    new
                    {
                        Id = submissionId, Status = Ansi(status, 10), Reason = reason, RunId = runId, Now = Time(now),
                        UsageId = Ansi(providerUsageId, ProviderIdLength), ReceiptId = Ansi(providerReceiptId, ProviderIdLength), Echoed = echoedTotal,
                    },
                    transaction, cancellationToken: cancellationToken));
                await InsertEventAsync(connection, transaction, submissionId, runId, now, "requeued", $"{status}: {reason}",
                    providerUsageId, providerReceiptId, echoedTotal, cancellationToken: cancellationToken);
                return (count, true);
            }, cancellationToken);
            rows += count;
            if (done)
            {
                return rows;
            }
        }
    }

    public async Task RestoreBilledRowAsync(UsageTable table, long rowId, long runId, string providerUsageId, string? providerReceiptId, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var connection = await _database.OpenAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition(_database.Sql(RestoreBilledRowSql, table),
            new { Id = rowId, RunId = runId, UsageId = Ansi(providerUsageId, ProviderIdLength), ReceiptId = Ansi(providerReceiptId, ProviderIdLength), Now = Time(now) },
            cancellationToken: cancellationToken));
    }

    public async Task ReleaseRowAsync(UsageTable table, long rowId, long runId, string reason, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var connection = await _database.OpenAsync(cancellationToken);
        await InTransactionAsync(connection, async transaction =>
        {
            var source = await connection.ExecuteScalarAsync<string?>(new CommandDefinition(_database.Sql(SourceKeyOfRowSql, table),
                new { Id = rowId }, transaction, cancellationToken: cancellationToken));
            await connection.ExecuteAsync(new CommandDefinition(_database.Sql(ReleaseRowSql, table),
                new { Id = rowId, RunId = runId }, transaction, cancellationToken: cancellationToken));
            await InsertRowExceptionAsync(connection, transaction, runId, table, rowId, source, null, "released", reason, now, cancellationToken);
        }, cancellationToken);
    }
}
