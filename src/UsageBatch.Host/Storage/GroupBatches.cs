using UsageBatch.Billing;

namespace UsageBatch.Storage;

/// <summary>
/// The plan SQL Server runs (and SQLite can, for the tests that hold the two plans to one outcome): each group is
/// claimed in batches of at most <see cref="StoreDialect.RowsPerStatement"/> of its own pending rows, one short
/// transaction each, and each confirmed submission's rows are settled on their own. A group larger than one batch
/// keeps its ledger row 'preparing' until the last, so a crash in between leaves nothing that could be sent.
/// Each batch's transaction may run again after a deadlock (two runs of one account read each other's ledger
/// rows), so it starts from what the committed batches left, never from a half-counted attempt.
/// </summary>
internal sealed class GroupBatches(BillingStore store, StoreDialect dialect) : RunPlan
{
    private enum Step
    {
        More,
        Nothing,
        Decided,
    }

    public override async Task<IReadOnlyList<(ClaimedGroup Claimed, GroupDecision Decision)>> ClaimGroupsAsync(
        ClaimRequest template, IReadOnlyList<PendingGroup> groups, string bucket, Func<ClaimedGroup, GroupFacts, GroupDecision> decide,
        CancellationToken cancellationToken)
    {
        var results = new List<(ClaimedGroup, GroupDecision)>(groups.Count);
        await using var session = await dialect.OpenAsync(cancellationToken);
        foreach (var group in groups)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (await ClaimGroupAsync(session, template with { Group = group }, decide, cancellationToken) is { } result)
            {
                results.Add(result);
            }
        }

        return results;
    }

    private async Task<(ClaimedGroup, GroupDecision)?> ClaimGroupAsync(StoreSession session, ClaimRequest request,
        Func<ClaimedGroup, GroupFacts, GroupDecision> decide, CancellationToken cancellationToken)
    {
        var rowsPerStatement = dialect.RowsPerStatement(request.BatchSize);
        var tally = new ClaimTally(request.Group);
        (ClaimedGroup, GroupDecision)? decided = null;
        while (true)
        {
            var committed = tally.Mark();
            var step = await session.InTransactionAsync(async () =>
            {
                tally.Restore(committed);
                if (tally.SubmissionId == 0)
                {
                    tally.SubmissionId = await store.InsertPreparingAsync(session, request, request.Group, cancellationToken);
                }

                var claimed = await session.QueryAsync(dialect.Sql.ClaimBatch[request.Table], ClaimArgs(request, tally.SubmissionId, rowsPerStatement),
                    r => r.UsageRow(request.Table), cancellationToken);
                await store.TallyClaimedAsync(session, request, tally, claimed, cancellationToken);
                if (claimed.Count == rowsPerStatement)
                {
                    await store.UpdatePreparingAsync(session, request, tally, cancellationToken);
                    return Step.More;
                }

                if (tally.IsEmpty)
                {
                    await store.DeleteSubmissionAsync(session, request.RunId, tally.SubmissionId, cancellationToken);
                    return Step.Nothing;
                }

                decided = await store.DecideAsync(session, request, tally, decide, cancellationToken);
                return Step.Decided;
            }, cancellationToken);

            switch (step)
            {
                case Step.Nothing:
                    request.Rejections.Add(tally.Rejected.Count);
                    return null;
                case Step.Decided:
                    request.Rejections.Add(tally.Rejected.Count);
                    return decided;
            }
        }
    }

    private static NamedArgs ClaimArgs(ClaimRequest request, long submissionId, int batchSize)
    {
        var args = new NamedArgs().With(new { Cutoff = Usage.UtcText.WholeSeconds(request.Cutoff), BatchSize = batchSize, request.RunId, SubmissionId = submissionId });
        if (request.Table.DateBuckets)
        {
            args.With(new { BucketStart = request.Group.BucketStart!.Value, BucketEnd = request.Group.BucketEnd!.Value });
        }

        return ClaimKey.Add(args, request.Table, request.Group.Target);
    }

    /// <summary>
    /// The run's confirmed submissions are settled a range of ids at a time: one statement moves the rows of as many
    /// consecutive submissions as fit in the dialect's rows per statement (their claimed row counts, from the ledger),
    /// and marks them settled in the same short transaction. A submission larger than that is settled alone, paged.
    /// </summary>
    public override async Task<int> SettleConfirmedAsync(UsageTable table, long runId, int batchSize, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var session = await dialect.OpenAsync(cancellationToken);
        var tableName = Arg.Ansi(table.Name, 50);
        var confirmed = await session.QueryAsync(dialect.Sql.ConfirmedUnsettled, new { RunId = runId, Table = tableName },
            r => (Id: r.Long(0), Rows: r.Long(1)), cancellationToken);
        var settled = 0;
        foreach (var (first, last, alone) in Ranges(confirmed, dialect.RowsPerStatement(batchSize)))
        {
            if (alone)
            {
                settled += await store.SettleRowsAsync(session, first, runId, batchSize, now, cancellationToken);
                continue;
            }

            var args = new { FirstId = first, LastId = last, RunId = runId, Now = now, Table = tableName };
            settled += await session.InTransactionAsync(async () =>
            {
                var moved = await session.ScalarAsync<int>(dialect.Sql.SettleConfirmedRange[table], args, cancellationToken);
                await session.ExecuteAsync(dialect.Sql.MarkConfirmedRangeSettled[table], args, cancellationToken);
                return moved;
            }, cancellationToken);
        }

        return settled;
    }

    /// <summary>Consecutive submissions whose rows add up to at most <paramref name="rowsPerStatement"/>; one with more is a range alone.</summary>
    internal static IEnumerable<(long First, long Last, bool Alone)> Ranges(IReadOnlyList<(long Id, long Rows)> submissions, int rowsPerStatement)
    {
        var i = 0;
        while (i < submissions.Count)
        {
            if (submissions[i].Rows > rowsPerStatement)
            {
                yield return (submissions[i].Id, submissions[i].Id, true);
                i++;
                continue;
            }

            var (first, rows) = (i, 0L);
            while (i < submissions.Count && submissions[i].Rows <= rowsPerStatement && rows + submissions[i].Rows <= rowsPerStatement)
            {
                rows += submissions[i].Rows;
                i++;
            }

            yield return (submissions[first].Id, submissions[i - 1].Id, false);
        }
    }
}
