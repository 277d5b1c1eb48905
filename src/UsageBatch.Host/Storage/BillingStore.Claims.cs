using System.Globalization;
using UsageBatch.Billing;
using UsageBatch.Providers;
using UsageBatch.Usage;

namespace UsageBatch.Storage;

/// <summary>Planning groups, and the steps every claim plan is made of (a 'preparing' ledger row, the re-check, the decision).</summary>
internal sealed partial class BillingStore
{
    public async Task<IReadOnlyList<PendingGroup>> ListPendingGroupsAsync(UsageTable table, DateTimeOffset cutoff, string bucket, CancellationToken cancellationToken)
    {
        await using var session = await _dialect.OpenAsync(cancellationToken);
        var args = new { Cutoff = UtcText.WholeSeconds(cutoff), Bucket = Arg.Ansi(bucket, 10), PrefixLength = Grouping.BucketPrefixLength(bucket) };
        if (table.Provider == ProviderKind.Whop)
        {
            return await session.QueryAsync(Sql.WhopGroups, args, r => new PendingGroup(
                new SubmissionTarget(r.String(0), r.String(1), r.String(2), r.String(3), r.String(4)),
                null, null, r.Long(5), r.SumOrNull(6) ?? 0m, r.UsageTimeOrNull(7) ?? cutoff), cancellationToken);
        }

        var groups = await session.QueryAsync(Sql.ChargebeeGroups, args, r =>
            Grouping.TryBucket(r.GetValue(2), bucket, out var start, out var end)
                ? new PendingGroup(SubmissionTarget.Chargebee(r.String(0), r.String(1)), start, end, r.Long(3), r.SumOrNull(4) ?? 0m, r.UsageTimeOrNull(5) ?? cutoff)
                : null, cancellationToken);
        // A bucket that is not one: a malformed occurred_at slipped in after validation; the next run rejects it.
        return groups.OfType<PendingGroup>().ToList();
    }

    /// <summary>
    /// Claims and prepares every listed group, each with its own ledger row, all before anything is sent. The
    /// dialect's plan decides the order rows are touched in; the outcome per group is the same.
    /// </summary>
    public Task<IReadOnlyList<(ClaimedGroup Claimed, GroupDecision Decision)>> ClaimGroupsAsync(
        ClaimRequest template, IReadOnlyList<PendingGroup> groups, string bucket, Func<ClaimedGroup, GroupFacts, GroupDecision> decide, CancellationToken cancellationToken) =>
        groups.Count == 0
            ? Task.FromResult<IReadOnlyList<(ClaimedGroup, GroupDecision)>>([])
            : _plan.ClaimGroupsAsync(template, groups, bucket, decide, cancellationToken);

    internal async Task<long> InsertPreparingAsync(StoreSession session, ClaimRequest request, PendingGroup group, CancellationToken cancellationToken) =>
        await session.ScalarAsync<long?>(Sql.InsertPreparing, new
        {
            request.RunId, request.Job, Account = request.ProviderAccount, Table = Arg.Ansi(request.Table.Name, 50),
            CustomerField = Arg.Ansi(group.Target.CustomerField, 50), group.Target.CustomerId,
            ItemField = Arg.Ansi(group.Target.ItemField, 50), group.Target.ItemId, ValueField = Arg.Ansi(group.Target.ValueField, 20),
            group.BucketStart, group.BucketEnd, request.Now,
        }, cancellationToken) ?? throw LeaseLostException.ForRun(request.RunId);

    /// <summary>
    /// Validation ran before the claim; a row inserted or edited since is checked again as it is claimed. A row
    /// that fails is rejected (with its reason and a row exception) and kept out of the group's total.
    /// </summary>
    internal async Task TallyClaimedAsync(StoreSession session, ClaimRequest request, ClaimTally tally, IEnumerable<UsageRow> rows, CancellationToken cancellationToken)
    {
        foreach (var row in rows)
        {
            var reason = ProviderRegistry.For(request.Table).CheckRow(row, request.Rules);
            if (reason is null)
            {
                tally.Add(row);
                continue;
            }

            tally.Rejected.Add(new RowRejection(row.Id, row.SourceKey, reason));
            await session.ExecuteAsync(Sql.RejectClaimedRow[request.Table], new { Reason = Arg.Reason(reason), row.Id }, cancellationToken);
            await InsertRowExceptionAsync(session, request.RunId, request.Table, row.Id, row.SourceKey, tally.SubmissionId, "rejected", reason, request.Now, cancellationToken);
        }
    }

    /// <summary>Keeps a claim's running count on its 'preparing' ledger row between batches.</summary>
    internal async Task UpdatePreparingAsync(StoreSession session, ClaimRequest request, ClaimTally tally, CancellationToken cancellationToken) =>
        LeaseLostException.ThrowUnlessOne(await session.ScalarAsync<int>(Sql.UpdatePreparing,
            new { Count = tally.Ids.Count, tally.Total, request.Now, Id = tally.SubmissionId, request.RunId }, cancellationToken), request.RunId, tally.SubmissionId);

    /// <summary>Another run claimed the whole group first: its ledger row never existed.</summary>
    internal async Task DeleteSubmissionAsync(StoreSession session, long runId, long submissionId, CancellationToken cancellationToken) =>
        LeaseLostException.ThrowUnlessOne(await session.ScalarAsync<int>(Sql.DeleteSubmission, new { Id = submissionId, RunId = runId }, cancellationToken), runId, submissionId);

    /// <summary>The ledger row of a claimed group gets its decision, totals and row snapshot, and an event.</summary>
    internal async Task<(ClaimedGroup Claimed, GroupDecision Decision)> DecideAsync(StoreSession session, ClaimRequest request, ClaimTally tally,
        Func<ClaimedGroup, GroupFacts, GroupDecision> decide, CancellationToken cancellationToken)
    {
        var submissionId = tally.SubmissionId;
        tally.SortAndCheckIds();
        var group = tally.ToClaimed();
        var decision = tally.Ids.Count == 0
            ? new GroupDecision(SubmissionStatus.Void, "every claimed row was rejected", null)
            : tally.OutOfRange
            ? new GroupDecision(SubmissionStatus.Rejected, Grouping.TotalOutOfRangeReason, null)
            : decide(group, await ReadFactsAsync(session, request, tally.Group, submissionId, cancellationToken));
        LeaseLostException.ThrowUnlessOne(await session.ScalarAsync<int>(Sql.DecideSubmission, new
        {
            Status = Arg.Ansi(SubmissionStatusText.ToText(decision.Status), 10), decision.Reason, Count = tally.Ids.Count, tally.Total, tally.First, tally.Last,
            RowIds = Arg.LongAnsi(RowIdRanges.Format(tally.Ids)), decision.UsageDate,
            UsageId = Arg.Ansi(request.Table.Provider == ProviderKind.Chargebee ? request.UsageIdPrefix + submissionId.ToString(CultureInfo.InvariantCulture) : null, 200),
            request.Now, Id = submissionId, request.RunId,
        }, cancellationToken), request.RunId, submissionId);
        await InsertEventAsync(session, submissionId, request.RunId, request.Now, SubmissionStatusText.ToText(decision.Status),
            $"{tally.Ids.Count} rows, total {DecimalText.Format(tally.Total)}{(decision.Reason is null ? "" : "; " + decision.Reason)}", cancellationToken: cancellationToken);
        return (group, decision);
    }

    private async Task<GroupFacts> ReadFactsAsync(StoreSession session, ClaimRequest request, PendingGroup group, long submissionId, CancellationToken cancellationToken)
    {
        if (request.Table.Provider != ProviderKind.Chargebee)
        {
            return new GroupFacts(new HashSet<DateTimeOffset>(), 0);
        }

        await _dialect.LockGroupFactsAsync(session, request.ProviderAccount, group.Target.CustomerId, cancellationToken);
        var used = await UsedUsageDatesAsync(session, request.ProviderAccount, group.Target, group.BucketStart!.Value, group.BucketEnd!.Value, submissionId, cancellationToken);
        var counted = await session.ScalarAsync<int>(Sql.CapCount,
            new { Account = request.ProviderAccount, SubscriptionId = group.Target.CustomerId, Id = submissionId }, cancellationToken);
        return new GroupFacts(used, counted);
    }

    public async Task<IReadOnlySet<DateTimeOffset>> UsedUsageDatesAsync(string account, SubmissionTarget target, DateTimeOffset bucketStart, DateTimeOffset bucketEnd, long exceptSubmissionId, CancellationToken cancellationToken)
    {
        await using var session = await _dialect.OpenAsync(cancellationToken);
        return await UsedUsageDatesAsync(session, account, target, bucketStart, bucketEnd, exceptSubmissionId, cancellationToken);
    }

    private async Task<IReadOnlySet<DateTimeOffset>> UsedUsageDatesAsync(StoreSession session, string account, SubmissionTarget target,
        DateTimeOffset bucketStart, DateTimeOffset bucketEnd, long exceptSubmissionId, CancellationToken cancellationToken) =>
        (await session.QueryAsync(Sql.UsedUsageDates,
            new { Account = account, SubscriptionId = target.CustomerId, ItemPriceId = target.ItemId, Start = bucketStart, End = bucketEnd, Id = exceptSubmissionId },
            r => r.Time(0), cancellationToken)).ToHashSet();
}
