using UsageBatch.Billing;

namespace UsageBatch.Storage;

/// <summary>What `usagebatch requeue` needs (<see cref="IRequeueStore"/>): finding held rows and releasing them.</summary>
internal sealed partial class BillingStore
{
    public async Task<IReadOnlyList<HeldRow>> FindRequeuedBilledRowsAsync(UsageTable table, CancellationToken cancellationToken)
    {
        await using var session = await _dialect.OpenAsync(cancellationToken);
        return await session.QueryAsync(Sql.FindRequeuedBilled[table], null, r => new HeldRow(table, r.Long(0), r.TextOrNull(1), r.Long(2),
            HeldRow.RequeuedReason(table, r.Long(0), r.Long(2), r.String(3), r.TextOrNull(4))), cancellationToken);
    }

    public async Task<IReadOnlyList<HeldRow>> FindHeldRowsAsync(long rowId, IEnumerable<UsageTable> tables, CancellationToken cancellationToken)
    {
        await using var session = await _dialect.OpenAsync(cancellationToken);
        var found = new List<HeldRow>();
        foreach (var table in tables)
        {
            found.AddRange(await session.QueryAsync(Sql.FindHeldRow[table], new { Id = rowId },
                r => new HeldRow(table, r.Long(0), r.TextOrNull(1), r.LongOrNull(2), r.TextOrNull(3)), cancellationToken));
        }

        return found;
    }

    /// <summary>
    /// The held rows go back to 'claimed' in batches, each its own short transaction; the submission is reopened
    /// only in the transaction of the last one. Until then it stays held and settled, so a crash halfway leaves
    /// nothing a run could adopt and send with rows still held; running requeue again finishes the rows.
    /// </summary>
    public async Task<int> ReopenSubmissionAsync(long submissionId, long runId, SubmissionStatus status, string reason, string? providerUsageId, string? providerReceiptId,
        decimal? echoedTotal, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var session = await _dialect.OpenAsync(cancellationToken);
        var submission = await GetSubmissionAsync(session, submissionId, cancellationToken)
            ?? throw new InvalidOperationException($"submission {submissionId} does not exist");
        var table = Providers.ProviderRegistry.Table(submission.UsageTable);
        var batchSize = _dialect.MaxRowsPerStatement;
        var rows = 0;
        var after = BatchStep.Start;
        while (true)
        {
            var (step, done) = await session.InTransactionAsync(async () =>
            {
                var step = await BatchStep.RunAsync(session, Sql.ReopenRowsBatch[table], new { Id = submissionId, BatchSize = batchSize, AfterId = after }, cancellationToken);
                if (step.Count == batchSize)
                {
                    return (step, false);
                }

                await session.ExecuteAsync(Sql.ReopenSubmission, new
                {
                    Id = submissionId, Status = Arg.Ansi(SubmissionStatusText.ToText(status), 10), Reason = reason, RunId = runId, Now = now,
                    UsageId = Arg.Ansi(providerUsageId, Arg.ProviderIdLength), ReceiptId = Arg.Ansi(providerReceiptId, Arg.ProviderIdLength), Echoed = echoedTotal,
                }, cancellationToken);
                await InsertEventAsync(session, submissionId, runId, now, "requeued", $"{SubmissionStatusText.ToText(status)}: {reason}", providerUsageId, providerReceiptId, echoedTotal,
                    cancellationToken: cancellationToken);
                return (step, true);
            }, cancellationToken);
            rows += step.Count;
            if (done)
            {
                return rows;
            }

            after = step.LastId;
        }
    }

    public Task RestoreBilledRowAsync(UsageTable table, long rowId, long runId, string providerUsageId, string? providerReceiptId, DateTimeOffset now, CancellationToken cancellationToken) =>
        _dialect.WriteAsync(session => session.ExecuteAsync(Sql.RestoreBilledRow[table], new
        {
            Id = rowId, RunId = runId, UsageId = Arg.Ansi(providerUsageId, Arg.ProviderIdLength), ReceiptId = Arg.Ansi(providerReceiptId, Arg.ProviderIdLength), Now = now,
        }, cancellationToken), cancellationToken);

    // Unlinked from the old submission, so the next run does not hold it again.
    public Task ReleaseRowAsync(UsageTable table, long rowId, long runId, string reason, DateTimeOffset now, CancellationToken cancellationToken) =>
        _dialect.WriteAsync(async session =>
        {
            var source = await session.ScalarAsync<string>(Sql.SourceKeyOfRow[table], new { Id = rowId }, cancellationToken);
            await session.ExecuteAsync(Sql.ReleaseRow[table], new { Id = rowId, RunId = runId }, cancellationToken);
            return await InsertRowExceptionAsync(session, runId, table, rowId, source, null, "released", reason, now, cancellationToken);
        }, cancellationToken);
}
