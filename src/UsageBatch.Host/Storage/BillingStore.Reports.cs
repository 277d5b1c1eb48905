using UsageBatch.Billing;
using UsageBatch.Providers;
using UsageBatch.Reports;

namespace UsageBatch.Storage;

/// <summary>Reads for reports and reconciliation (<see cref="IReportStore"/>), and reconcile's one write, the receipt.</summary>
internal sealed partial class BillingStore
{
    // Id lists are sent in chunks of this many parameters per statement (far under SQLite's and SQL Server's limits).
    private const int IdChunk = 400;

    public async Task<ReportRunRow?> GetRunAsync(long runId, CancellationToken cancellationToken)
    {
        await using var session = await _dialect.OpenAsync(cancellationToken);
        var rows = await session.QueryAsync(Sql.GetRun, new { RunId = runId }, r => new ReportRunRow(
            r.Long(0), r.String(1), r.String(2), r.String(3), r.String(4), r.Bool(5), r.Time(6), r.Time(7), r.Time(8), r.TimeOrNull(9),
            r.String(10), r.IntOrNull(11), r.TextOrNull(12), r.TextOrNull(13)), cancellationToken);
        return rows.FirstOrDefault();
    }

    public async Task<long?> LastFinishedRunIdAsync(string? job, CancellationToken cancellationToken)
    {
        await using var session = await _dialect.OpenAsync(cancellationToken);
        return await session.ScalarAsync<long?>(Sql.LastFinishedRun, new { Job = Arg.Text(job, 200) }, cancellationToken);
    }

    public async Task<IReadOnlyList<ReportSubmissionRow>> SubmissionsForReportAsync(long runId, CancellationToken cancellationToken)
    {
        await using var session = await _dialect.OpenAsync(cancellationToken);
        var submissions = await session.QueryAsync(Sql.SubmissionsOfRun, new { RunId = runId }, LedgerRows.Read, cancellationToken);
        var rowIds = (await session.QueryAsync(Sql.RowIdsOfRun, new { RunId = runId }, r => (Id: r.Long(0), RowIds: r.String(1)), cancellationToken))
            .ToDictionary(r => r.Id, r => r.RowIds);
        return submissions.Select(s => new ReportSubmissionRow(s, rowIds.GetValueOrDefault(s.Id, ""))).ToList();
    }

    public async Task<IReadOnlyList<ReportEventRow>> EventsOfRunAsync(long runId, CancellationToken cancellationToken)
    {
        await using var session = await _dialect.OpenAsync(cancellationToken);
        return await session.QueryAsync(Sql.EventsOfRun, new { RunId = runId }, r => new ReportEventRow(
            r.Long(0), r.Time(1), r.String(2), r.TextOrNull(3), r.TextOrNull(4), r.TextOrNull(5), r.MoneyOrNull(6), r.IntOrNull(7), r.TextOrNull(8)), cancellationToken);
    }

    public async Task<IReadOnlyList<ReportExceptionRow>> RowExceptionsOfRunAsync(long runId, CancellationToken cancellationToken)
    {
        await using var session = await _dialect.OpenAsync(cancellationToken);
        return await session.QueryAsync(Sql.RowExceptionsOfRun, new { RunId = runId }, r => new ReportExceptionRow(
            r.Long(0), r.String(1), r.TextOrNull(2), r.LongOrNull(3), r.String(4), r.String(5), r.Time(6)), cancellationToken);
    }

    // Counted from events, not from the submissions' current status, so a later run cannot change this run's report.
    public async Task<IReadOnlyList<(string Field, string Id)>> SilentCustomersAsync(string job, long runId, int runs, CancellationToken cancellationToken)
    {
        if (runs <= 0)
        {
            return [];
        }

        await using var session = await _dialect.OpenAsync(cancellationToken);
        return await session.QueryAsync(Sql.SilentCustomers, new { Job = Arg.Text(job, 200), RunId = runId, Runs = runs }, r => (r.String(0), r.String(1)), cancellationToken);
    }

    public async Task<IReadOnlyDictionary<string, int>> ConfirmedCountsAsync(string providerAccount, IReadOnlyCollection<string> subscriptionIds, long upToRunId, CancellationToken cancellationToken)
    {
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        await using var session = await _dialect.OpenAsync(cancellationToken);
        foreach (var chunk in subscriptionIds.Distinct(StringComparer.Ordinal).Chunk(IdChunk))
        {
            foreach (var (subscription, count) in await session.QueryAsync(Sql.ConfirmedCounts, new { Account = providerAccount, Ids = chunk, RunId = upToRunId },
                         r => (r.String(0), r.Int(1)), cancellationToken))
            {
                counts[subscription] = count;
            }
        }

        return counts;
    }

    // Two statements rather than a spliced column name: Chargebee's provider-side date is usage_date, Whop's the
    // time of the attempt the provider accepted.
    public async Task<IReadOnlyList<LedgerSubmission>> ConfirmedInPeriodAsync(string providerAccount, ReconcileDating dating, DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken)
    {
        await using var session = await _dialect.OpenAsync(cancellationToken);
        return await session.QueryAsync(dating == ReconcileDating.UsageDate ? Sql.ConfirmedByUsageDate : Sql.ConfirmedBySentAt,
            new { Account = providerAccount, From = from, To = to }, LedgerRows.Read, cancellationToken);
    }

    public async Task<IReadOnlyList<LedgerSubmission>> SubmissionsByUsageIdsAsync(string providerAccount, IReadOnlyCollection<string> usageIds, CancellationToken cancellationToken)
    {
        var found = new List<LedgerSubmission>();
        await using var session = await _dialect.OpenAsync(cancellationToken);
        foreach (var chunk in usageIds.Distinct(StringComparer.Ordinal).Chunk(IdChunk))
        {
            // varchar, as the id columns are: an nvarchar list would convert every row of the index and scan.
            var ids = chunk.Select(id => Arg.Ansi(id, Arg.ProviderIdLength)).ToList();
            found.AddRange(await session.QueryAsync(Sql.SubmissionsByUsageIds, new { Account = providerAccount, Ids = ids }, LedgerRows.Read, cancellationToken));
        }

        return found.DistinctBy(s => s.Id).OrderBy(s => s.Id).ToList();
    }

    /// <summary>
    /// The receipt goes on the submission first, then its billed rows follow in batches, each statement its own
    /// short transaction. Rows already carrying it are skipped, so each batch makes progress and a re-run of
    /// reconcile finishes whatever a crash left.
    /// </summary>
    public async Task<int> RecordReceiptAsync(long submissionId, string receiptId, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var session = await _dialect.OpenAsync(cancellationToken);
        var submission = await GetSubmissionAsync(session, submissionId, cancellationToken)
            ?? throw new InvalidOperationException($"submission {submissionId} does not exist");
        var table = Providers.ProviderRegistry.Table(submission.UsageTable);
        var receipt = Arg.Ansi(receiptId, Arg.ProviderIdLength);
        await session.InTransactionAsync(() => session.ExecuteAsync(Sql.RecordReceipt, new { Id = submissionId, ReceiptId = receipt, Now = now }, cancellationToken), cancellationToken);
        var batchSize = _dialect.MaxRowsPerStatement;
        var rows = 0;
        var after = BatchStep.Start;
        while (true)
        {
            var step = await session.InTransactionAsync(() => BatchStep.RunAsync(session, Sql.RecordReceiptRows[table],
                new { Id = submissionId, ReceiptId = receipt, BatchSize = batchSize, AfterId = after }, cancellationToken), cancellationToken);
            rows += step.Count;
            if (step.Count < batchSize)
            {
                return rows;
            }

            after = step.LastId;
        }
    }
}
