using System.Globalization;
using UsageBatch.Billing;
using UsageBatch.Providers;
using UsageBatch.Usage;

namespace UsageBatch.Storage;

/// <summary>Planning groups, and the steps every claim plan is made of (a 'preparing' ledger row, each claimed row's check, the decision).</summary>
internal sealed partial class BillingStore
{
    public async Task<IReadOnlyList<PendingGroup>> ListPendingGroupsAsync(UsageTable table, DateTimeOffset cutoff, string bucket, CancellationToken cancellationToken)
    {
        await using var session = await _dialect.OpenAsync(cancellationToken);
        var args = new { Cutoff = UtcText.WholeSeconds(cutoff), Bucket = Arg.Ansi(bucket, 10), PrefixLength = Grouping.BucketPrefixLength(bucket) };
        var groups = await session.QueryAsync(Sql.Groups[table], args, r =>
        {
            var target = new SubmissionTarget(r.String(0), r.String(1), r.String(2), r.String(3), r.String(4));
            var (start, end) = (default(DateTimeOffset?), default(DateTimeOffset?));
            if (table.DateBuckets)
            {
                if (!Grouping.TryBucket(r.GetValue(5), bucket, out var s, out var e))
                {
                    // Not a bucket: a malformed occurred_at slipped in after validation; the next run rejects it.
                    return null;
                }

                (start, end) = (s, e);
            }

            return new PendingGroup(target, start, end);
        }, cancellationToken);
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
    /// Every claimed row is checked against its provider's rules as it is claimed (this is the run's validation of
    /// the rows a group reaches; the rows no group reaches are checked after the claim). A row that fails is rejected
    /// with its reason and a row exception, exactly as a row rejected before any claim: unlinked from the group's
    /// ledger row and kept out of its total.
    /// </summary>
    internal async Task TallyClaimedAsync(StoreSession session, ClaimRequest request, ClaimTally tally, IEnumerable<UsageRow> rows, CancellationToken cancellationToken)
    {
        foreach (var row in rows)
        {
            var reason = request.Module.CheckRow(row, request.Rules);
            if (reason is null)
            {
                tally.Add(row);
                continue;
            }

            tally.Rejected.Add(new RowRejection(row.Id, row.SourceKey, reason));
            await session.ExecuteAsync(Sql.RejectClaimedRow[request.Table], new { Reason = Arg.Reason(reason), row.Id }, cancellationToken);
            await InsertRowExceptionAsync(session, request.RunId, request.Table, row.Id, row.SourceKey, null, "rejected", reason, request.Now, cancellationToken);
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
        var decision = tally.OutOfRange
            ? new GroupDecision(SubmissionStatus.Rejected, Grouping.TotalOutOfRangeReason, null)
            : decide(group, await ReadFactsAsync(session, request, tally.Group, submissionId, cancellationToken));
        LeaseLostException.ThrowUnlessOne(await session.ScalarAsync<int>(Sql.DecideSubmission, new
        {
            Status = Arg.Ansi(SubmissionStatusText.ToText(decision.Status), 10), decision.Reason, Count = tally.Ids.Count, tally.Total, tally.First, tally.Last,
            RowIds = Arg.LongAnsi(RowIdRanges.Format(tally.Ids)), decision.UsageDate,
            // A provider that takes a client-assigned id gets it now, before anything is sent: a re-send after an
            // unknown outcome must carry the same id.
            UsageId = Arg.Ansi(request.Module.Capabilities.UnknownOutcome == UnknownOutcomeResolution.SendSameIdAgain
                ? request.UsageIdPrefix + submissionId.ToString(CultureInfo.InvariantCulture) : null, 200),
            request.Now, Id = submissionId, request.RunId,
        }, cancellationToken), request.RunId, submissionId);
        await InsertEventAsync(session, submissionId, request.RunId, request.Now, SubmissionStatusText.ToText(decision.Status),
            $"{tally.Ids.Count} rows, total {DecimalText.Format(tally.Total)}{(decision.Reason is null ? "" : "; " + decision.Reason)}", cancellationToken: cancellationToken);
        return (group, decision);
    }

    /// <summary>
    /// What the ledger already holds for the group's customer, as its provider needs it: the usage dates taken in the
    /// group's bucket (providers with dated usages) and the usages counted toward a lifetime cap. Read under the
    /// dialect's lock on the customer, so two runs of one account cannot both take the last date or the last usage.
    /// </summary>
    private async Task<GroupFacts> ReadFactsAsync(StoreSession session, ClaimRequest request, PendingGroup group, long submissionId, CancellationToken cancellationToken)
    {
        var dated = request.Module.UsesDateBuckets;
        var capped = request.Module.Capabilities.LifetimeUsageCap;
        if (!dated && !capped)
        {
            return new GroupFacts(new HashSet<DateTimeOffset>(), 0);
        }

        await _dialect.LockGroupFactsAsync(session, request.ProviderAccount, group.Target.CustomerId, cancellationToken);
        var used = dated
            ? await UsedUsageDatesAsync(session, request.ProviderAccount, group.Target, group.BucketStart!.Value, group.BucketEnd!.Value, submissionId, cancellationToken)
            : new HashSet<DateTimeOffset>();
        var counted = capped
            ? await session.ScalarAsync<int>(Sql.CapCount,
                new { Account = request.ProviderAccount, CustomerField = Arg.Ansi(group.Target.CustomerField, 50), group.Target.CustomerId, Id = submissionId }, cancellationToken)
            : 0;
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
            new { Account = account, target.CustomerId, target.ItemId, Start = bucketStart, End = bucketEnd, Id = exceptSubmissionId },
            r => r.Time(0), cancellationToken)).ToHashSet();
}
