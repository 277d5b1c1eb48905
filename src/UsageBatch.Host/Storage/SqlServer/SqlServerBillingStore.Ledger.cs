using System.Data;
using Dapper;
using Microsoft.Data.SqlClient;
using UsageBatch.Billing;
using UsageBatch.Providers;
using static UsageBatch.Storage.SqlServer.SqlServerDatabase;

namespace UsageBatch.Storage.SqlServer;

internal sealed partial class SqlServerBillingStore
{
    /// <summary>provider_usage_id / provider_receipt_id: varchar(200) in the ledger, its events and both usage tables (schema 6).</summary>
    internal const int ProviderIdLength = 200;

    /// <summary>provider_code: nvarchar(200) in the ledger and its events.</summary>
    internal const int ProviderCodeLength = 200;

    private const string SubmissionColumns = """
        s.id, s.created_run_id, s.owner_run_id, s.job, s.provider_account, s.usage_table, s.customer_field, s.customer_id,
        s.item_field, s.item_id, s.value_field, s.bucket_start, s.bucket_end, s.usage_date, s.usage_id, s.status, s.status_reason,
        s.row_count, s.total, s.attempts, s.first_sent_at, s.last_attempt_at, s.provider_usage_id, s.provider_receipt_id,
        s.echoed_total, s.settled_at
        """;

    // A run whose lease ran out is dead: mark it so, which also makes its own lease renewal fail if it is merely
    // stalled, so it can never act on what is taken over here. Then adopt the unsettled submissions of runs that
    // are not running, and log each adoption, all in one short transaction.
    private const string AdoptOrphansSql = """
        UPDATE [$(Schema)].ub_run WITH (ROWLOCK, READCOMMITTEDLOCK)
        SET status = 'dead', finished_at = @Now, message = CONCAT(N'lease expired; recovered by run ', @RunId)
        WHERE status = 'running' AND lease_until < @Now AND id <> @RunId;

        DECLARE @adopted TABLE (id bigint NOT NULL PRIMARY KEY, previous_owner bigint NOT NULL, status varchar(10) NOT NULL);
        UPDATE s
        SET owner_run_id = @RunId, updated_at = @Now
        OUTPUT inserted.id, deleted.owner_run_id, inserted.status INTO @adopted (id, previous_owner, status)
        FROM [$(Schema)].ub_submission AS s WITH (ROWLOCK, READCOMMITTEDLOCK)
        WHERE s.provider_account = @Account AND s.settled_at IS NULL AND s.owner_run_id <> @RunId
          AND EXISTS (SELECT 1 FROM [$(Schema)].ub_run AS r WITH (READCOMMITTEDLOCK) WHERE r.id = s.owner_run_id AND r.status <> 'running');

        INSERT INTO [$(Schema)].ub_submission_event (submission_id, run_id, at, event, detail)
        SELECT id, @RunId, @Now, 'adopted', CONCAT(N'recovered from run ', previous_owner, N' in state ', status) FROM @adopted;

        SELECT $(SubmissionColumns), a.previous_owner AS PreviousOwner FROM [$(Schema)].ub_submission AS s JOIN @adopted AS a ON a.id = s.id ORDER BY s.id;
        """;

    // The send is allowed only while this run owns the submission and its lease outlasts the whole request:
    // nobody can recover (and re-send) it before the request has finished one way or the other.
    private const string MarkSentSql = """
        UPDATE [$(Schema)].ub_submission WITH (ROWLOCK, READCOMMITTEDLOCK)
        SET status = 'sent', attempts = attempts + 1, first_sent_at = COALESCE(first_sent_at, @Now),
            last_attempt_at = @Now, updated_at = @Now
        WHERE id = @Id AND owner_run_id = @RunId AND status IN ('prepared', 'sent')
          AND EXISTS (SELECT 1 FROM [$(Schema)].ub_run WITH (READCOMMITTEDLOCK)
                      WHERE id = @RunId AND status = 'running' AND lease_until > @LeaseMustOutlast);
        """;

    private const string MoveUsageDateSql = """
        UPDATE [$(Schema)].ub_submission SET usage_date = @UsageDate, updated_at = @Now WHERE id = @Id AND owner_run_id = @RunId;
        """;

    private const string OwnedUsageIdsSql = """
        SELECT provider_usage_id FROM [$(Schema)].ub_submission
        WHERE provider_account = @Account AND customer_field = @CustomerField AND customer_id = @CustomerId
          AND item_field = @ItemField AND item_id = @ItemId AND provider_usage_id IS NOT NULL;
        """;

    private const string RecordOutcomeSql = """
        UPDATE [$(Schema)].ub_submission WITH (ROWLOCK, READCOMMITTEDLOCK)
        SET status = @Status, status_reason = @Reason,
            provider_usage_id = COALESCE(@ProviderUsageId, provider_usage_id),
            provider_receipt_id = COALESCE(@ProviderReceiptId, provider_receipt_id),
            echoed_total = COALESCE(@EchoedTotal, echoed_total), http_status = @HttpStatus, provider_code = @ProviderCode,
            updated_at = @Now
        WHERE id = @Id AND owner_run_id = @RunId AND settled_at IS NULL;
        """;

    // Write-back, set-based: one UPDATE per batch of the submission's rows still 'claimed' (so repeating a settle
    // after a crash changes nothing twice), at most @BatchSize rows (the job's batchSize, capped by SqlServerLocking) per
    // short transaction: under the 5,000-lock escalation threshold. No READPAST here: these rows are this submission's
    // alone, and every one of them must move.
    private const string SettleBatchSql = """
        DECLARE @settled TABLE (id bigint NOT NULL PRIMARY KEY, source_key nvarchar(200) NULL);
        UPDATE TOP (@BatchSize) [$(Schema)].$(UsageTable) WITH (ROWLOCK, READCOMMITTEDLOCK)
        SET billing_status = @RowStatus, provider_usage_id = @UsageId, provider_receipt_id = @ReceiptId,
            billed_at = @BilledAt, billing_error = LEFT(@Error, 4000), billing_run_id = @RunId,
            billing_attempts = billing_attempts + @AttemptIncrement
        OUTPUT inserted.id, inserted.source_key INTO @settled (id, source_key)
        WHERE billing_submission_id = @SubmissionId AND billing_status = 'claimed';
        IF @ExceptionKind IS NOT NULL
            INSERT INTO [$(Schema)].ub_row_exception (run_id, usage_table, row_id, source_key, submission_id, kind, reason, at)
            SELECT @RunId, @Table, id, source_key, @SubmissionId, @ExceptionKind, @ExceptionReason, @Now FROM @settled;
        SELECT COUNT(*) FROM @settled;
        """;

    private const string MarkSettledSql = """
        UPDATE [$(Schema)].ub_submission SET settled_at = @Now, updated_at = @Now WHERE id = @Id AND settled_at IS NULL;
        """;

    private const string GetSubmissionSql = "SELECT $(SubmissionColumns) FROM [$(Schema)].ub_submission AS s WHERE s.id = @Id;";

    private const string SubmissionsOfRunSql = """
        SELECT $(SubmissionColumns) FROM [$(Schema)].ub_submission AS s
        WHERE s.created_run_id = @RunId OR s.id IN (SELECT submission_id FROM [$(Schema)].ub_submission_event WHERE run_id = @RunId)
        ORDER BY s.id;
        """;

    private const string InsertEventSql = """
        INSERT INTO [$(Schema)].ub_submission_event (submission_id, run_id, at, event, detail, provider_usage_id, provider_receipt_id,
                                                     echoed_total, http_status, provider_code)
        VALUES (@SubmissionId, @RunId, @At, @Event, @Detail, @UsageId, @ReceiptId, @EchoedTotal, @HttpStatus, @ProviderCode);
        """;

    public async Task<IReadOnlyList<LedgerSubmission>> AdoptOrphansAsync(string providerAccount, long runId, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var connection = await _database.OpenAsync(cancellationToken);
        return await InTransactionAsync(connection, async transaction =>
            (await connection.QueryAsync<SqlServerSubmissionRow>(new CommandDefinition(Ledger(AdoptOrphansSql),
                new { RunId = runId, Account = providerAccount, Now = Time(now) }, transaction, cancellationToken: cancellationToken)))
            .Select(r => r.ToLedger() with { AdoptedFrom = r.PreviousOwner }).ToList(), cancellationToken);
    }

    public async Task<bool> MarkSentAsync(long submissionId, long runId, DateTimeOffset now, DateTimeOffset leaseMustOutlast, CancellationToken cancellationToken)
    {
        await using var connection = await _database.OpenAsync(cancellationToken);
        return await InTransactionAsync(connection, async transaction =>
        {
            var changed = await connection.ExecuteAsync(new CommandDefinition(_database.Sql(MarkSentSql),
                new { Id = submissionId, RunId = runId, Now = Time(now), LeaseMustOutlast = Time(leaseMustOutlast) },
                transaction, cancellationToken: cancellationToken));
            if (changed == 1)
            {
                await InsertEventAsync(connection, transaction, submissionId, runId, now, "sent", null, cancellationToken: cancellationToken);
            }

            return changed == 1;
        }, cancellationToken);
    }

    public async Task MoveUsageDateAsync(long submissionId, long runId, DateTimeOffset usageDate, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var connection = await _database.OpenAsync(cancellationToken);
        await InTransactionAsync(connection, async transaction =>
        {
            await connection.ExecuteAsync(new CommandDefinition(_database.Sql(MoveUsageDateSql),
                new { Id = submissionId, RunId = runId, UsageDate = Time(usageDate), Now = Time(now) }, transaction, cancellationToken: cancellationToken));
            await InsertEventAsync(connection, transaction, submissionId, runId, now, "date_moved",
                $"usage_date moved to {Usage.UtcText.Format(usageDate)} after a clash at the provider", cancellationToken: cancellationToken);
        }, cancellationToken);
    }

    public async Task<IReadOnlySet<string>> OwnedUsageIdsAsync(string providerAccount, SubmissionTarget target, CancellationToken cancellationToken)
    {
        await using var connection = await _database.OpenAsync(cancellationToken);
        var ids = await connection.QueryAsync<string>(new CommandDefinition(_database.Sql(OwnedUsageIdsSql),
            new
            {
                Account = providerAccount, CustomerField = Ansi(target.CustomerField, 50), target.CustomerId,
                ItemField = Ansi(target.ItemField, 50), target.ItemId,
            },
            cancellationToken: cancellationToken));
        return ids.ToHashSet(StringComparer.Ordinal);
    }

    public async Task<bool> RecordOutcomeAsync(OutcomeRecord outcome, CancellationToken cancellationToken)
    {
        var providerCode = Bounded(outcome.ProviderCode, ProviderCodeLength);
        await using var connection = await _database.OpenAsync(cancellationToken);
        return await InTransactionAsync(connection, async transaction =>
        {
            var changed = await connection.ExecuteAsync(new CommandDefinition(_database.Sql(RecordOutcomeSql),
                new
                {
                    Id = outcome.SubmissionId, outcome.RunId, Status = Ansi(outcome.Status, 10), outcome.Reason,
                    ProviderUsageId = Ansi(outcome.ProviderUsageId, ProviderIdLength), ProviderReceiptId = Ansi(outcome.ProviderReceiptId, ProviderIdLength),
                    outcome.EchoedTotal, outcome.HttpStatus, ProviderCode = providerCode, Now = Time(outcome.Now),
                },
                transaction, cancellationToken: cancellationToken));
            if (changed == 1)
            {
                await InsertEventAsync(connection, transaction, outcome.SubmissionId, outcome.RunId, outcome.Now, outcome.Event, outcome.Reason,
                    outcome.ProviderUsageId, outcome.ProviderReceiptId, outcome.EchoedTotal, outcome.HttpStatus, providerCode, cancellationToken);
            }

            return changed == 1;
        }, cancellationToken);
    }

    public async Task<int> SettleRowsAsync(long submissionId, long runId, int batchSize, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var submission = await GetSubmissionAsync(submissionId, cancellationToken)
            ?? throw new InvalidOperationException($"submission {submissionId} does not exist");
        if (submission.SettledAt is not null)
        {
            return 0;
        }

        var table = UsageTable.Parse(submission.UsageTable);
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
        var parameters = new
        {
            RowStatus = Ansi(rowStatus, 10), UsageId = Ansi(billed ? submission.ProviderUsageId : null, ProviderIdLength),
            ReceiptId = Ansi(billed ? submission.ProviderReceiptId : null, ProviderIdLength),
            BilledAt = Time(billed ? now : null), Error = error, RunId = runId, AttemptIncrement = submission.Status == SubmissionStatus.Released ? 1 : 0,
            SubmissionId = submissionId, BatchSize = SqlServerLocking.RowsPerStatement(batchSize), Table = Ansi(table.Name, 50), ExceptionKind = Ansi(exceptionKind, 10),
            ExceptionReason = submission.StatusReason ?? submission.Status, Now = Time(now),
        };
        var settled = 0;
        await using var connection = await _database.OpenAsync(cancellationToken);
        while (true)
        {
            var (count, done) = await InTransactionAsync(connection, async transaction =>
            {
                var count = await connection.ExecuteScalarAsync<int>(new CommandDefinition(_database.Sql(SettleBatchSql, table),
                    parameters, transaction, cancellationToken: cancellationToken));
                if (count < parameters.BatchSize)
                {
                    await connection.ExecuteAsync(new CommandDefinition(_database.Sql(MarkSettledSql),
                        new { Id = submissionId, Now = Time(now) }, transaction, cancellationToken: cancellationToken));
                    return (count, true);
                }

                return (count, false);
            }, cancellationToken);
            settled += count;
            if (done)
            {
                return settled;
            }
        }
    }

    public async Task<LedgerSubmission?> GetSubmissionAsync(long submissionId, CancellationToken cancellationToken)
    {
        await using var connection = await _database.OpenAsync(cancellationToken);
        var row = await connection.QuerySingleOrDefaultAsync<SqlServerSubmissionRow>(new CommandDefinition(Ledger(GetSubmissionSql),
            new { Id = submissionId }, cancellationToken: cancellationToken));
        return row?.ToLedger();
    }

    public async Task<IReadOnlyList<LedgerSubmission>> SubmissionsOfRunAsync(long runId, CancellationToken cancellationToken)
    {
        await using var connection = await _database.OpenAsync(cancellationToken);
        var rows = await connection.QueryAsync<SqlServerSubmissionRow>(new CommandDefinition(Ledger(SubmissionsOfRunSql),
            new { RunId = runId }, cancellationToken: cancellationToken));
        return rows.Select(r => r.ToLedger()).ToList();
    }

    /// <summary>Ledger templates name their column list as $(SubmissionColumns): a constant, expanded before the schema.</summary>
    private string Ledger(string template) =>
        _database.Sql(template.Replace("$(SubmissionColumns)", SubmissionColumns, StringComparison.Ordinal));

    private Task InsertEventAsync(
        SqlConnection connection, SqlTransaction transaction, long submissionId, long runId, DateTimeOffset now, string eventName,
        string? detail, string? usageId = null, string? receiptId = null, decimal? echoedTotal = null, int? httpStatus = null,
        string? providerCode = null, CancellationToken cancellationToken = default) =>
        connection.ExecuteAsync(new CommandDefinition(_database.Sql(InsertEventSql),
            new
            {
                SubmissionId = submissionId, RunId = runId, At = Time(now), Event = Ansi(eventName, 50), Detail = detail,
                UsageId = Ansi(usageId, ProviderIdLength), ReceiptId = Ansi(receiptId, ProviderIdLength), EchoedTotal = echoedTotal, HttpStatus = httpStatus,
                ProviderCode = Bounded(providerCode, ProviderCodeLength),
            },
            transaction, cancellationToken: cancellationToken));
}
