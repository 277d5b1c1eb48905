namespace UsageBatch.Storage;

/// <summary>
/// Which written report carries each final submission: exactly one, however many runs die in a row. A run that ends
/// takes every final submission of its account that no written report carries yet; the ledger keeps which run
/// (reported_run_id), and the run's report_written_at says whether that report exists.
/// </summary>
internal sealed partial class BillingStore
{
    public async Task<int> CarryUnreportedAsync(string providerAccount, long runId, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var batchSize = _dialect.MaxRowsPerStatement;
        var fromOthers = 0;
        await using var session = await _dialect.OpenAsync(cancellationToken);
        while (true)
        {
            var (taken, others) = (await session.InTransactionAsync(() => session.QueryAsync(Sql.CarryUnreported,
                new { Account = providerAccount, RunId = runId, Now = now, BatchSize = batchSize }, r => (r.Long(0), r.Long(1)), cancellationToken), cancellationToken))[0];
            fromOthers += (int)others;
            if (taken < batchSize)
            {
                return fromOthers;
            }
        }
    }

    public Task MarkReportWrittenAsync(long runId, DateTimeOffset now, CancellationToken cancellationToken) =>
        _dialect.WriteAsync(session => session.ExecuteAsync(Sql.MarkReportWritten, new { RunId = runId, Now = now }, cancellationToken), cancellationToken);

    public Task MarkReportFailedAsync(long runId, string message, CancellationToken cancellationToken) =>
        _dialect.WriteAsync(session => session.ExecuteAsync(Sql.MarkReportFailed, new { RunId = runId, Message = message }, cancellationToken), cancellationToken);
}
