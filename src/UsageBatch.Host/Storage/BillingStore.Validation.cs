using System.Runtime.CompilerServices;
using UsageBatch.Usage;

namespace UsageBatch.Storage;

/// <summary>Reading pending rows, rejecting the ones that can never be billed, holding re-queued billed ones.</summary>
internal sealed partial class BillingStore
{
    public async IAsyncEnumerable<UsageRow> ReadPendingRowsAsync(UsageTable table, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await using var session = await _dialect.OpenAsync(cancellationToken);
        // Streamed, never materialised: memory stays flat however many rows are pending. On SQL Server READ
        // COMMITTED releases each row's shared lock as the reader moves on, so nothing is held while the run validates.
        await using var reader = await session.ReaderAsync(Sql.PendingRows[table], null, cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            yield return reader.UsageRow(table);
        }
    }

    /// <summary>
    /// Rejects rows validation found unbillable, in batches (staged, then one set-based statement each). Only a row
    /// still pending is rejected: a concurrent run may have moved it on since it was read. The exceptions are
    /// written from what actually changed.
    /// </summary>
    public async Task<int> RejectRowsAsync(UsageTable table, long runId, IReadOnlyList<RowRejection> rejections, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var rejected = 0;
        if (rejections.Count == 0)
        {
            return 0;
        }

        await using var session = await _dialect.OpenAsync(cancellationToken);
        foreach (var batch in rejections.DistinctBy(r => r.RowId).Chunk(_dialect.MaxRowsPerStatement))
        {
            // The stage is made inside the transaction, so a deadlock's rollback removes it too.
            rejected += await session.InTransactionAsync(async () =>
            {
                await session.ExecuteAsync(Sql.CreateRejectStage, null, cancellationToken);
                await _dialect.StageRejectionsAsync(session, batch, cancellationToken);
                return await session.ScalarAsync<int>(Sql.RejectStaged[table], new { RunId = runId, Table = Arg.Ansi(table.Name, 50), Now = now }, cancellationToken);
            }, cancellationToken);
        }

        return rejected;
    }

    /// <summary>
    /// A row set back to pending whose earlier submission was confirmed, billed at zero, or is held must not be
    /// billed again until `requeue` has checked the provider: it is held, with the command that checks it.
    /// </summary>
    public async Task<int> HoldRequeuedRowsAsync(UsageTable table, long runId, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var total = 0;
        var batchSize = _dialect.MaxRowsPerStatement;
        await using var session = await _dialect.OpenAsync(cancellationToken);
        while (true)
        {
            var held = await session.InTransactionAsync(() => session.ScalarAsync<int>(Sql.HoldRequeued[table],
                new { RunId = runId, Table = Arg.Ansi(table.Name, 50), Now = now, BatchSize = batchSize }, cancellationToken), cancellationToken);
            total += held;
            if (held < batchSize)
            {
                return total;
            }
        }
    }
}
