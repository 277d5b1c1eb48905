using UsageBatch.Providers;
using UsageBatch.Billing;
using UsageBatch.Usage;

namespace UsageBatch.Storage;

/// <summary>The ledger (ub_submission and its events): recovery, send, outcome and settle.</summary>
internal sealed partial class BillingStore
{
    /// <summary>
    /// Adopts in batches of the dialect's rows per statement, each its own short transaction: a run killed after
    /// thousands of prepared groups is recovered without one statement locking the whole ledger (lock escalation).
    /// </summary>
    public async Task<IReadOnlyList<LedgerSubmission>> AdoptOrphansAsync(string providerAccount, long runId, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var batchSize = _dialect.MaxRowsPerStatement;
        var adopted = new List<LedgerSubmission>();
        await using var session = await _dialect.OpenAsync(cancellationToken);
        while (true)
        {
            var batch = await session.InTransactionAsync(() => session.QueryAsync(Sql.AdoptOrphans,
                new { RunId = runId, Account = providerAccount, Now = now, BatchSize = batchSize }, LedgerRows.ReadAdopted, cancellationToken), cancellationToken);
            adopted.AddRange(batch);
            if (batch.Count < batchSize)
            {
                return adopted;
            }
        }
    }

    // The send is allowed only while this run owns the submission and its lease outlasts the whole request:
    // nobody can recover (and re-send) it before the request has finished one way or the other.
    public Task<bool> MarkSentAsync(long submissionId, long runId, DateTimeOffset now, TimeSpan leaseMustOutlast, CancellationToken cancellationToken) =>
        _ledgerWrites.WriteAsync(async session =>
        {
            var changed = await session.ScalarAsync<int>(Sql.MarkSent,
                new { Id = submissionId, RunId = runId, Now = now, MustOutlastMs = Arg.Milliseconds(leaseMustOutlast) }, cancellationToken);
            if (changed == 1)
            {
                await InsertEventAsync(session, submissionId, runId, now, "sent", null, cancellationToken: cancellationToken);
            }

            return changed == 1;
        }, cancellationToken);

    public Task MoveUsageDateAsync(long submissionId, long runId, DateTimeOffset usageDate, string eventName, string detail, DateTimeOffset now, CancellationToken cancellationToken) =>
        _dialect.WriteAsync(async session =>
        {
            await session.ExecuteAsync(Sql.MoveUsageDate, new { Id = submissionId, RunId = runId, UsageDate = usageDate, Now = now }, cancellationToken);
            return await InsertEventAsync(session, submissionId, runId, now, eventName, detail, cancellationToken: cancellationToken);
        }, cancellationToken);

    public Task RecordEventAsync(long submissionId, long runId, string eventName, string detail, DateTimeOffset now, CancellationToken cancellationToken) =>
        _dialect.WriteAsync(session => InsertEventAsync(session, submissionId, runId, now, eventName, detail, cancellationToken: cancellationToken), cancellationToken);

    public async Task<IReadOnlySet<string>> OwnedUsageIdsAsync(string providerAccount, SubmissionTarget target, CancellationToken cancellationToken)
    {
        await using var session = await _dialect.OpenAsync(cancellationToken);
        var ids = await session.QueryAsync(Sql.OwnedUsageIds, new
        {
            Account = providerAccount, CustomerField = Arg.Ansi(target.CustomerField, 50), target.CustomerId,
            ItemField = Arg.Ansi(target.ItemField, 50), target.ItemId,
        }, r => r.String(0), cancellationToken);
        return ids.ToHashSet(StringComparer.Ordinal);
    }

    public Task<bool> RecordOutcomeAsync(OutcomeRecord outcome, CancellationToken cancellationToken)
    {
        var providerCode = Arg.Bounded(outcome.ProviderCode, Arg.ProviderCodeLength);
        return _ledgerWrites.WriteAsync(async session =>
        {
            var changed = await session.ScalarAsync<int>(Sql.RecordOutcome, new
            {
                Id = outcome.SubmissionId, outcome.RunId, Status = Arg.Ansi(SubmissionStatusText.ToText(outcome.Status), 10), outcome.Reason,
                ProviderUsageId = Arg.Ansi(outcome.ProviderUsageId, Arg.ProviderIdLength), ProviderReceiptId = Arg.Ansi(outcome.ProviderReceiptId, Arg.ProviderIdLength),
                outcome.EchoedTotal, outcome.HttpStatus, ProviderCode = providerCode, Now = outcome.Now,
            }, cancellationToken);
            if (changed == 1)
            {
                await InsertEventAsync(session, outcome.SubmissionId, outcome.RunId, outcome.Now, outcome.Event, outcome.Reason,
                    outcome.ProviderUsageId, outcome.ProviderReceiptId, outcome.EchoedTotal, outcome.HttpStatus, providerCode, cancellationToken);
            }

            return changed == 1;
        }, cancellationToken);
    }

    /// <summary>
    /// The submission's rows follow its ledger row: rows still 'claimed' by it take its outcome, in batches of
    /// <paramref name="batchSize"/> (capped by the dialect) per short transaction, and the submission is marked
    /// settled with the last. Only rows still 'claimed' move, so repeating a settle after a crash changes nothing twice.
    /// </summary>
    public async Task<int> SettleRowsAsync(long submissionId, long runId, int batchSize, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var session = await _dialect.OpenAsync(cancellationToken);
        return await SettleRowsAsync(session, submissionId, runId, batchSize, now, cancellationToken);
    }

    internal async Task<int> SettleRowsAsync(StoreSession session, long submissionId, long runId, int batchSize, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var submission = await GetSubmissionAsync(session, submissionId, cancellationToken)
            ?? throw new InvalidOperationException($"submission {submissionId} does not exist");
        if (submission.SettledAt is not null)
        {
            return 0;
        }

        var table = Providers.ProviderRegistry.Table(submission.UsageTable);
        var rowStatus = SubmissionStatusText.RowStatusFor(submission.Status);
        var exceptionKind = submission.Status switch
        {
            SubmissionStatus.Rejected => "rejected",
            SubmissionStatus.Held => "held",
            SubmissionStatus.Released => "released",
            _ => null,
        };
        var billed = rowStatus == UsageRowStatus.Billed;
        var error = billed || submission.Status == SubmissionStatus.Void ? null : submission.StatusReason;
        var args = new
        {
            RowStatus = Arg.Ansi(UsageRowStatusText.ToText(rowStatus), 10), UsageId = Arg.Ansi(billed ? submission.ProviderUsageId : null, Arg.ProviderIdLength),
            ReceiptId = Arg.Ansi(billed ? submission.ProviderReceiptId : null, Arg.ProviderIdLength),
            BilledAt = billed ? now : (DateTimeOffset?)null, Error = Arg.Reason(error), RunId = runId,
            AttemptIncrement = submission.Status == SubmissionStatus.Released ? 1 : 0, SubmissionId = submissionId,
            BatchSize = _dialect.RowsPerStatement(batchSize), Table = Arg.Ansi(table.Name, 50), ExceptionKind = Arg.Ansi(exceptionKind, 10),
            ExceptionReason = Arg.Reason(submission.StatusReason ?? SubmissionStatusText.ToText(submission.Status)), Now = now, AfterId = BatchStep.Start,
        };
        var settled = 0;
        while (true)
        {
            var (step, done) = await session.InTransactionAsync(async () =>
            {
                var step = await BatchStep.RunAsync(session, Sql.SettleBatch[table], args, cancellationToken);
                if (step.Count < args.BatchSize)
                {
                    await session.ExecuteAsync(Sql.MarkSettled, new { Id = submissionId, Now = now }, cancellationToken);
                    return (step, true);
                }

                return (step, false);
            }, cancellationToken);
            settled += step.Count;
            if (done)
            {
                return settled;
            }

            args = args with { AfterId = step.LastId };
        }
    }

    /// <summary>Settles the rows of this run's confirmed submissions whose outcome is recorded (after the sends, once per run).</summary>
    public Task<int> SettleConfirmedAsync(UsageTable table, long runId, int batchSize, DateTimeOffset now, CancellationToken cancellationToken) =>
        _plan.SettleConfirmedAsync(table, runId, batchSize, now, cancellationToken);

    public async Task<LedgerSubmission?> GetSubmissionAsync(long submissionId, CancellationToken cancellationToken)
    {
        await using var session = await _dialect.OpenAsync(cancellationToken);
        return await GetSubmissionAsync(session, submissionId, cancellationToken);
    }

    internal async Task<LedgerSubmission?> GetSubmissionAsync(StoreSession session, long submissionId, CancellationToken cancellationToken) =>
        (await session.QueryAsync(Sql.GetSubmission, new { Id = submissionId }, LedgerRows.Read, cancellationToken)).FirstOrDefault();

    public async Task<IReadOnlyList<LedgerSubmission>> SubmissionsOfRunAsync(long runId, CancellationToken cancellationToken)
    {
        await using var session = await _dialect.OpenAsync(cancellationToken);
        return await session.QueryAsync(Sql.SubmissionsOfRun, new { RunId = runId }, LedgerRows.Read, cancellationToken);
    }

    internal Task<int> InsertEventAsync(
        StoreSession session, long submissionId, long runId, DateTimeOffset now, string eventName, string? detail, string? usageId = null,
        string? receiptId = null, decimal? echoedTotal = null, int? httpStatus = null, string? providerCode = null, CancellationToken cancellationToken = default) =>
        session.ExecuteAsync(Sql.InsertEvent, new
        {
            SubmissionId = submissionId, RunId = runId, At = now, Event = Arg.Ansi(eventName, 50), Detail = detail,
            UsageId = Arg.Ansi(usageId, Arg.ProviderIdLength), ReceiptId = Arg.Ansi(receiptId, Arg.ProviderIdLength), EchoedTotal = echoedTotal,
            HttpStatus = httpStatus, ProviderCode = Arg.Bounded(providerCode, Arg.ProviderCodeLength),
        }, cancellationToken);

    internal Task<int> InsertRowExceptionAsync(StoreSession session, long runId, UsageTable table, long rowId, string? sourceKey,
        long? submissionId, string kind, string reason, DateTimeOffset now, CancellationToken cancellationToken) =>
        session.ExecuteAsync(Sql.InsertRowException, new
        {
            RunId = runId, Table = Arg.Ansi(table.Name, 50), RowId = rowId, SourceKey = sourceKey, SubmissionId = submissionId,
            Kind = Arg.Ansi(kind, 10), Reason = Arg.Reason(reason), At = now,
        }, cancellationToken);
}
