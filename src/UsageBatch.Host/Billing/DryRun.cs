using UsageBatch.Configuration;
using UsageBatch.Providers;
using UsageBatch.Storage;
using UsageBatch.Usage;

namespace UsageBatch.Billing;

/// <summary>
/// `run --dry-run`: what a run would send, computed from reads only. Rows are validated and grouped here in memory
/// (one entry per group, so memory grows with groups, not rows), each group is judged by the same
/// <see cref="GroupDecider"/> a real run uses, and nothing is written or sent — not even a run record.
/// </summary>
internal sealed class DryRun(IBillingStore store, JobOptions job, ProviderAccountOptions account, UsageTable table, TimeProvider time, IUsageProvider? provider = null)
{
    public async Task PlanAsync(RunSummary summary, ValidationRules rules, CancellationToken cancellationToken)
    {
        // Reads only: rows are validated and grouped here in memory (one entry per group), judged, and nothing is
        // written or sent. Invalid rows are counted, not grouped, exactly as a real run would reject them first.
        var groups = new Dictionary<(SubmissionTarget Target, string Bucket), (int Rows, decimal Total, DateTimeOffset Last)>();
        var outOfRange = new HashSet<(SubmissionTarget Target, string Bucket)>();
        // A run holds these before it claims anything, so they are never part of a group (not billed twice on paper either).
        var requeued = await store.FindRequeuedBilledRowsAsync(table, cancellationToken);
        var held = requeued.Select(r => r.RowId).ToHashSet();
        await foreach (var row in store.ReadPendingRowsAsync(table, cancellationToken))
        {
            summary.RowsValidated++;
            if (account.Module.CheckRow(row, rules) is { } reason)
            {
                summary.RowsRejectedByValidation++;
                summary.PlannedRows.Add(new RunSummary.PlannedRow("reject", row.Id, row.SourceKey, reason));
                held.Remove(row.Id); // validation comes first in a real run too: an invalid re-queued row is rejected
                continue;
            }

            if (held.Contains(row.Id))
            {
                continue;
            }

            var occurredAt = row.OccurredAtUtc; // parsed once, by the rules above
            if (occurredAt >= summary.Cutoff)
            {
                continue;
            }

            var target = account.Module.TargetOf(row);
            var bucket = account.Module.UsesDateBuckets ? Grouping.BucketKey(row.OccurredAt!, job.Bucket) : "";
            var current = groups.GetValueOrDefault((target, bucket));
            if (!Grouping.TryAdd(current.Total, row.Value(target.ValueField), out var total))
            {
                outOfRange.Add((target, bucket));
            }

            groups[(target, bucket)] = (current.Rows + 1, total, occurredAt > current.Last ? occurredAt : current.Last);
        }

        foreach (var row in requeued.Where(r => held.Contains(r.RowId)))
        {
            summary.PlannedRows.Add(new RunSummary.PlannedRow("hold", row.RowId, row.SourceKey, row.Reason!));
        }

        summary.RowsHeldRequeued = held.Count;
        var decider = new GroupDecider(job, account);
        foreach (var ((target, bucket), group) in groups.OrderBy(g => g.Key.Target.ToString(), StringComparer.Ordinal).ThenBy(g => g.Key.Bucket, StringComparer.Ordinal))
        {
            DateTimeOffset? start = null, end = null;
            IReadOnlySet<DateTimeOffset> used = new HashSet<DateTimeOffset>();
            if (account.Module.UsesDateBuckets && Grouping.TryBucketBounds(bucket, job.Bucket, out var s, out var e))
            {
                (start, end) = (s, e);
                used = await store.UsedUsageDatesAsync(job.Provider, target, s, e, 0, cancellationToken);
            }

            var decision = outOfRange.Contains((target, bucket))
                ? new GroupDecision(SubmissionStatus.Rejected, Grouping.TotalOutOfRangeReason, null)
                : decider.Decide(new ClaimedGroup(0, target, start, end, group.Rows, group.Total, null, group.Last, []), new GroupFacts(used, 0));
            if (decision.Status == SubmissionStatus.Prepared && decision.UsageDate is not null && account.Module.Capabilities.InvoicesByTerm && provider is not null)
            {
                decision = await PredictTermAsync(target, group.Total, decision, cancellationToken);
            }

            summary.Groups++;
            summary.Planned.Add(new RunSummary.PlannedSubmission(target.ToString(), group.Rows, group.Total,
                decision.Status == SubmissionStatus.Prepared ? "send" : SubmissionStatusText.ToText(decision.Status), decision.Reason, target.ValueField));
        }

        summary.Outcome = RunOutcome.DryRun;
        summary.FinishedAt = time.GetUtcNow();
        summary.ExitCode = ExitCodes.Ok;
    }

    /// <summary>What the term gate would decide for this group (reads only: the subscription and, for an old date, its invoices).</summary>
    private async Task<GroupDecision> PredictTermAsync(SubmissionTarget target, decimal total, GroupDecision decision, CancellationToken cancellationToken)
    {
        var check = await provider!.CheckTermAsync(new ProviderSubmission(0, target, total, null, decision.UsageDate, ""), cancellationToken);
        return check switch
        {
            { Failure: { } failure } => decision with { Reason = $"terms not checked ({failure.Message}); a run would ask again" },
            { Standing: TermStanding.PendingInvoice } => decision with { Reason = check.Detail },
            { Standing: TermStanding.Inactive } => new GroupDecision(SubmissionStatus.Held, $"inactive: {check.Detail}", decision.UsageDate),
            { Standing: TermStanding.Late } => job.LateUsagePolicy switch
            {
                LateUsagePolicy.Hold => new GroupDecision(SubmissionStatus.Held, $"late: {check.Detail} (lateUsage: hold)", decision.UsageDate),
                LateUsagePolicy.CurrentTerm => decision with { Reason = $"late, re-dated into the current term (lateUsage: currentTerm): {check.Detail}" },
                LateUsagePolicy.Send => decision with { Reason = $"late, sent as dated (lateUsage: send): {check.Detail}" },
                _ => throw new InvalidOperationException($"unknown lateUsage policy {job.LateUsagePolicy}"),
            },
            _ => decision,
        };
    }
}
