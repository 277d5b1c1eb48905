using UsageBatch.Billing;

namespace UsageBatch.Storage;

/// <summary>The operator console's reads (<see cref="IConsoleStore"/>).</summary>
internal sealed partial class BillingStore
{
    public Task<int> SchemaVersionAsync(CancellationToken cancellationToken) => _dialect.SchemaVersionAsync(cancellationToken);

    private static ConsoleRun ReadRun(System.Data.Common.DbDataReader r) =>
        new(r.Long(0), r.String(1), RunOutcomeText.Parse(r.String(2)), r.Time(3), r.TimeOrNull(4), r.IntOrNull(5), r.TextOrNull(6), r.TextOrNull(7));

    public async Task<ConsoleRun?> LastRunAsync(string job, bool completedOnly, CancellationToken cancellationToken)
    {
        await using var session = await _dialect.OpenAsync(cancellationToken);
        return (await session.QueryAsync(Sql.LastRun, new { Job = job, Completed = completedOnly ? 1 : 0 }, ReadRun, cancellationToken)).FirstOrDefault();
    }

    public async Task<DateTimeOffset?> OldestPendingAsync(UsageTable table, CancellationToken cancellationToken)
    {
        await using var session = await _dialect.OpenAsync(cancellationToken);
        return (await session.QueryAsync(Sql.OldestPending[table], null, r => r.UsageTimeOrNull(0), cancellationToken)).FirstOrDefault();
    }

    public async Task<DateTimeOffset?> NewestOccurredAsync(UsageTable table, CancellationToken cancellationToken)
    {
        await using var session = await _dialect.OpenAsync(cancellationToken);
        return (await session.QueryAsync(Sql.NewestOccurred[table], null, r => r.UsageTimeOrNull(0), cancellationToken)).FirstOrDefault();
    }

    public async Task<(IReadOnlyList<ConsoleRun> Runs, long Total)> RunsAsync(string? job, string? status, int skip, int take, CancellationToken cancellationToken)
    {
        await using var session = await _dialect.OpenAsync(cancellationToken);
        var filter = new { Job = job, Status = Arg.Ansi(status, 10), Skip = skip, Take = take };
        var runs = await session.QueryAsync(Sql.Runs, filter, ReadRun, cancellationToken);
        return (runs, await session.ScalarAsync<long>(Sql.RunCount, filter, cancellationToken));
    }

    public async Task<IReadOnlyList<ConsoleExceptionGroup>> ExceptionGroupsAsync(UsageTable table, int take, CancellationToken cancellationToken)
    {
        await using var session = await _dialect.OpenAsync(cancellationToken);
        return await session.QueryAsync(Sql.ExceptionGroups[table], new { Take = take }, r => new ConsoleExceptionGroup(
            r.Long(0), r.String(1), r.String(2), r.Long(3), r.Long(4), r.LongOrNull(5), r.TextOrNull(6), r.String(7) + "=" + r.String(8), r.String(9) + "=" + r.String(10)),
            cancellationToken);
    }

    public async Task<IReadOnlyList<ConsoleExceptionRow>> ExceptionRowsAsync(UsageTable table, int take, CancellationToken cancellationToken)
    {
        await using var session = await _dialect.OpenAsync(cancellationToken);
        return await session.QueryAsync(Sql.ExceptionRows[table], new { Take = take }, r => new ConsoleExceptionRow(
            r.Long(0), r.String(1), r.String(2), r.TextOrNull(3), r.LongOrNull(4), r.LongOrNull(5), r.TextOrNull(6), r.TextOrNull(7), r.TextOrNull(8), r.TextOrNull(9)),
            cancellationToken);
    }
}
