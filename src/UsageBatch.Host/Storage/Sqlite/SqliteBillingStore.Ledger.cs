using Dapper;
using Microsoft.Data.Sqlite;
using UsageBatch.Billing;
using UsageBatch.Providers;
using static UsageBatch.Storage.Sqlite.SqliteDatabase;

namespace UsageBatch.Storage.Sqlite;

internal sealed partial class SqliteBillingStore
{
    private const string SubmissionColumns = """
        id, created_run_id, owner_run_id, job, provider_account, usage_table, customer_field, customer_id, item_field,
        item_id, value_field, bucket_start, bucket_end, usage_date, usage_id, status, status_reason, row_count, total,
        attempts, first_sent_at, last_attempt_at, provider_usage_id, provider_receipt_id, echoed_total, settled_at
        """;

    static SqliteBillingStore() => DefaultTypeMap.MatchNamesWithUnderscores = true;

    public async Task<IReadOnlyList<LedgerSubmission>> AdoptOrphansAsync(string providerAccount, long runId, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var connection = await _database.OpenAsync(cancellationToken);
        await using var transaction = (SqliteTransaction)await connection.BeginTransactionAsync(cancellationToken);
        // A run whose lease ran out is dead: mark it so, which also makes its own lease renewal fail if it is
        // merely stalled, so it can never act on what we take over here.
        await connection.ExecuteAsync(new CommandDefinition(
            """
            UPDATE ub_run SET status = 'dead', finished_at = @Now, message = 'lease expired; recovered by run ' || @RunId
            WHERE status = 'running' AND lease_until < @Now AND id <> @RunId
            """,
            new { RunId = runId, Now = Text(now) }, transaction, cancellationToken: cancellationToken));
        // RETURNING gives the new owner only: the run that left each submission is read first (same transaction).
        var previousOwners = (await connection.QueryAsync<(long Id, long Owner)>(new CommandDefinition(
            """
            SELECT id, owner_run_id FROM ub_submission
            WHERE provider_account = @Account AND settled_at IS NULL AND owner_run_id <> @RunId
              AND owner_run_id IN (SELECT id FROM ub_run WHERE status <> 'running')
            """,
            new { RunId = runId, Account = providerAccount }, transaction, cancellationToken: cancellationToken))).ToDictionary(r => r.Id, r => r.Owner);
        var adopted = (await connection.QueryAsync<SubmissionRowDto>(new CommandDefinition(
            $"""
            UPDATE ub_submission SET owner_run_id = @RunId, updated_at = @Now
            WHERE provider_account = @Account AND settled_at IS NULL AND owner_run_id <> @RunId
              AND owner_run_id IN (SELECT id FROM ub_run WHERE status <> 'running')
            RETURNING {SubmissionColumns}
            """,
            new { RunId = runId, Account = providerAccount, Now = Text(now) }, transaction, cancellationToken: cancellationToken)))
            .Select(d => d.ToLedger()).Select(s => s with { AdoptedFrom = previousOwners.GetValueOrDefault(s.Id) }).OrderBy(s => s.Id).ToList();
        foreach (var submission in adopted)
        {
            await InsertEventAsync(connection, transaction, submission.Id, runId, now, "adopted",
                $"recovered from run {submission.AdoptedFrom} in state {submission.Status}", cancellationToken: cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);
        return adopted;
    }

    private const string MarkSentSql = """
        UPDATE ub_submission
        SET status = 'sent', attempts = attempts + 1, first_sent_at = COALESCE(first_sent_at, @Now),
            last_attempt_at = @Now, updated_at = @Now
        WHERE id = @Id AND owner_run_id = @RunId AND status IN ('prepared', 'sent')
          AND EXISTS (SELECT 1 FROM ub_run WHERE id = @RunId AND status = 'running' AND lease_until > @LeaseMustOutlast)
        """;

    public async Task<bool> MarkSentAsync(long submissionId, long runId, DateTimeOffset now, DateTimeOffset leaseMustOutlast, CancellationToken cancellationToken)
    {
        var (session, write) = await _database.BeginWriterAsync(cancellationToken);
        await using var _ = write;
        // The send is allowed only while this run owns the submission and its lease outlasts the whole request:
        // nobody can recover (and re-send) it before the request has finished one way or the other.
        var changed = await session.Command(MarkSentSql, write.Transaction)
            .With("@Id", submissionId).With("@RunId", runId).With("@Now", Text(now)).With("@LeaseMustOutlast", Text(leaseMustOutlast))
            .ExecuteNonQueryAsync(cancellationToken);
        if (changed == 1)
        {
            await InsertEventAsync(session, write.Transaction, submissionId, runId, now, "sent", null, cancellationToken: cancellationToken);
        }

        await write.CommitAsync(cancellationToken);
        return changed == 1;
    }

    public async Task MoveUsageDateAsync(long submissionId, long runId, DateTimeOffset usageDate, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var connection = await _database.OpenAsync(cancellationToken);
        await using var transaction = (SqliteTransaction)await connection.BeginTransactionAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition(
            "UPDATE ub_submission SET usage_date = @UsageDate, updated_at = @Now WHERE id = @Id AND owner_run_id = @RunId",
            new { Id = submissionId, RunId = runId, UsageDate = Text(usageDate), Now = Text(now) }, transaction, cancellationToken: cancellationToken));
        await InsertEventAsync(connection, transaction, submissionId, runId, now, "date_moved", $"usage_date moved to {Text(usageDate)} after a clash at the provider", cancellationToken: cancellationToken);
        await transaction.CommitAsync(cancellationToken);
    }

    public async Task<IReadOnlySet<string>> OwnedUsageIdsAsync(string providerAccount, SubmissionTarget target, CancellationToken cancellationToken)
    {
        await using var connection = await _database.OpenAsync(cancellationToken);
        var ids = await connection.QueryAsync<string>(new CommandDefinition(
            """
            SELECT provider_usage_id FROM ub_submission
            WHERE provider_account = @Account AND customer_field = @CustomerField AND customer_id = @CustomerId
              AND item_field = @ItemField AND item_id = @ItemId AND provider_usage_id IS NOT NULL
            """,
            new { Account = providerAccount, target.CustomerField, target.CustomerId, target.ItemField, target.ItemId },
            cancellationToken: cancellationToken));
        return ids.ToHashSet(StringComparer.Ordinal);
    }

    private const string RecordOutcomeSql = """
        UPDATE ub_submission
        SET status = @Status, status_reason = @Reason,
            provider_usage_id = COALESCE(@ProviderUsageId, provider_usage_id),
            provider_receipt_id = COALESCE(@ProviderReceiptId, provider_receipt_id),
            echoed_total = COALESCE(@EchoedTotal, echoed_total), http_status = @HttpStatus, provider_code = @ProviderCode,
            updated_at = @Now
        WHERE id = @Id AND owner_run_id = @RunId AND settled_at IS NULL
        """;

    public async Task<bool> RecordOutcomeAsync(OutcomeRecord outcome, CancellationToken cancellationToken)
    {
        var (session, write) = await _database.BeginWriterAsync(cancellationToken);
        await using var _ = write;
        var changed = await session.Command(RecordOutcomeSql, write.Transaction)
            .With("@Id", outcome.SubmissionId).With("@RunId", outcome.RunId).With("@Status", outcome.Status).With("@Reason", outcome.Reason)
            .With("@ProviderUsageId", outcome.ProviderUsageId).With("@ProviderReceiptId", outcome.ProviderReceiptId)
            .With("@EchoedTotal", outcome.EchoedTotal is { } e ? Text(e) : null).With("@HttpStatus", outcome.HttpStatus)
            .With("@ProviderCode", outcome.ProviderCode).With("@Now", Text(outcome.Now))
            .ExecuteNonQueryAsync(cancellationToken);
        if (changed == 1)
        {
            await InsertEventAsync(session, write.Transaction, outcome.SubmissionId, outcome.RunId, outcome.Now, outcome.Event, outcome.Reason,
                outcome.ProviderUsageId, outcome.ProviderReceiptId, outcome.EchoedTotal, outcome.HttpStatus, outcome.ProviderCode, cancellationToken);
        }

        await write.CommitAsync(cancellationToken);
        return changed == 1;
    }

    public async Task<int> SettleRowsAsync(long submissionId, long runId, int batchSize, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var session = await _database.RentSessionAsync(cancellationToken);
        var submission = await GetSubmissionAsync(session, submissionId, cancellationToken)
            ?? throw new InvalidOperationException($"submission {submissionId} does not exist");
        if (submission.SettledAt is not null)
        {
            return 0;
        }

        var table = Storage.UsageTable.Parse(submission.UsageTable);
        var rowStatus = SubmissionStatus.RowStatusFor(submission.Status);
        var exceptionKind = submission.Status switch
        {
            SubmissionStatus.Rejected => "rejected",
            SubmissionStatus.Held => "held",
            SubmissionStatus.Released => "released",
            _ => null,
        };
        var billed = rowStatus == "billed";
        var error = billed || submission.Status == SubmissionStatus.Void ? null : submission.StatusReason;
        // Rows whose outcome needs no exception record are counted, not returned: nothing per row comes back.
        var update = $"""
            UPDATE {table.Name}
            SET billing_status = @RowStatus, provider_usage_id = @UsageId, provider_receipt_id = @ReceiptId,
                billed_at = @BilledAt, billing_error = @Error, billing_run_id = @RunId,
                billing_attempts = billing_attempts + @AttemptIncrement
            WHERE id IN (SELECT id FROM {table.Name}
                         WHERE billing_submission_id = @SubmissionId AND billing_status = 'claimed'
                         ORDER BY id LIMIT @BatchSize)
            {(exceptionKind is null ? "" : "RETURNING id, source_key")}
            """;
        var settled = 0;
        // Rows follow the ledger in batches well under SQL Server's 5,000-lock escalation threshold (the same
        // batch size keeps each SQLite write transaction short). Only rows still 'claimed' by this submission
        // move, so repeating a settle after a crash changes nothing twice.
        while (true)
        {
            await using var write = await _database.BeginWriteAsync(session.Connection, cancellationToken);
            var command = session.Command(update, write.Transaction)
                .With("@RowStatus", rowStatus).With("@UsageId", billed ? submission.ProviderUsageId : null)
                .With("@ReceiptId", billed ? submission.ProviderReceiptId : null).With("@BilledAt", billed ? Text(now) : null)
                .With("@Error", error).With("@RunId", runId).With("@AttemptIncrement", submission.Status == SubmissionStatus.Released ? 1 : 0)
                .With("@SubmissionId", submissionId).With("@BatchSize", batchSize);
            int count;
            if (exceptionKind is null)
            {
                count = await command.ExecuteNonQueryAsync(cancellationToken);
            }
            else
            {
                var rows = new List<(long Id, string? SourceKey)>();
                await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
                {
                    while (await reader.ReadAsync(cancellationToken))
                    {
                        rows.Add((reader.GetInt64(0), reader.IsDBNull(1) ? null : reader.GetString(1)));
                    }
                }

                foreach (var row in rows)
                {
                    await InsertRowExceptionAsync(session, write.Transaction, runId, table, row.Id, row.SourceKey, submissionId, exceptionKind,
                        submission.StatusReason ?? submission.Status, now, cancellationToken);
                }

                count = rows.Count;
            }

            if (count < batchSize)
            {
                await session.Command("UPDATE ub_submission SET settled_at = @Now, updated_at = @Now WHERE id = @Id AND settled_at IS NULL", write.Transaction)
                    .With("@Id", submissionId).With("@Now", Text(now))
                    .ExecuteNonQueryAsync(cancellationToken);
                await write.CommitAsync(cancellationToken);
                return settled + count;
            }

            await write.CommitAsync(cancellationToken);
            settled += count;
        }
    }

    public async Task<LedgerSubmission?> GetSubmissionAsync(long submissionId, CancellationToken cancellationToken)
    {
        await using var session = await _database.RentSessionAsync(cancellationToken);
        return await GetSubmissionAsync(session, submissionId, cancellationToken);
    }

    private static async Task<LedgerSubmission?> GetSubmissionAsync(SqliteSession session, long submissionId, CancellationToken cancellationToken)
    {
        await using var reader = await session.Command($"SELECT {SubmissionColumns} FROM ub_submission WHERE id = @Id", null)
            .With("@Id", submissionId).ExecuteReaderAsync(cancellationToken);
        return reader.Parse<SubmissionRowDto>().FirstOrDefault()?.ToLedger();
    }

    public async Task<IReadOnlyList<LedgerSubmission>> SubmissionsOfRunAsync(long runId, CancellationToken cancellationToken)
    {
        await using var connection = await _database.OpenAsync(cancellationToken);
        var rows = await connection.QueryAsync<SubmissionRowDto>(new CommandDefinition(
            $"""
            SELECT {SubmissionColumns} FROM ub_submission
            WHERE created_run_id = @RunId OR id IN (SELECT submission_id FROM ub_submission_event WHERE run_id = @RunId)
            ORDER BY id
            """,
            new { RunId = runId }, cancellationToken: cancellationToken));
        return rows.Select(r => r.ToLedger()).ToList();
    }

    private static Task InsertEventAsync(
        SqliteConnection connection, SqliteTransaction transaction, long submissionId, long runId, DateTimeOffset now, string eventName,
        string? detail, string? usageId = null, string? receiptId = null, decimal? echoedTotal = null, int? httpStatus = null,
        string? providerCode = null, CancellationToken cancellationToken = default) =>
        connection.ExecuteAsync(new CommandDefinition(
            """
            INSERT INTO ub_submission_event (submission_id, run_id, at, event, detail, provider_usage_id, provider_receipt_id,
                                             echoed_total, http_status, provider_code)
            VALUES (@SubmissionId, @RunId, @At, @Event, @Detail, @UsageId, @ReceiptId, @EchoedTotal, @HttpStatus, @ProviderCode)
            """,
            new
            {
                SubmissionId = submissionId, RunId = runId, At = Text(now), Event = eventName, Detail = detail, UsageId = usageId,
                ReceiptId = receiptId, EchoedTotal = echoedTotal is { } e ? Text(e) : null, HttpStatus = httpStatus, ProviderCode = providerCode,
            },
            transaction, cancellationToken: cancellationToken));

    private const string InsertEventSql = """
        INSERT INTO ub_submission_event (submission_id, run_id, at, event, detail, provider_usage_id, provider_receipt_id,
                                         echoed_total, http_status, provider_code)
        VALUES (@SubmissionId, @RunId, @At, @Event, @Detail, @UsageId, @ReceiptId, @EchoedTotal, @HttpStatus, @ProviderCode)
        """;

    private static Task<int> InsertEventAsync(
        SqliteSession session, SqliteTransaction transaction, long submissionId, long runId, DateTimeOffset now, string eventName,
        string? detail, string? usageId = null, string? receiptId = null, decimal? echoedTotal = null, int? httpStatus = null,
        string? providerCode = null, CancellationToken cancellationToken = default) =>
        session.Command(InsertEventSql, transaction)
            .With("@SubmissionId", submissionId).With("@RunId", runId).With("@At", Text(now)).With("@Event", eventName).With("@Detail", detail)
            .With("@UsageId", usageId).With("@ReceiptId", receiptId).With("@EchoedTotal", echoedTotal is { } e ? Text(e) : null)
            .With("@HttpStatus", httpStatus).With("@ProviderCode", providerCode)
            .ExecuteNonQueryAsync(cancellationToken);
}
