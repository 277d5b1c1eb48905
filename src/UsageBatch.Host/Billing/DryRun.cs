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
internal sealed class DryRun(IBillingStore store, JobOptions job, ProviderAccountOptions account, UsageTable table, TimeProvider time)
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

            var occurredAt = UtcText.Parse(row.OccurredAt!);
            if (occurredAt >= summary.Cutoff)
            {
                continue;
            }

            var target = account.Module.TargetOf(row);
            var bucket = account.Module.Capabilities.UsesDateBuckets ? Grouping.BucketKey(row.OccurredAt!, job.Bucket) : "";
            var current = groups.GetValueOrDefault((target, bucket));
            if (!Grouping.TryAdd(current.Total, Grouping.Value(row, target.ValueField), out var total))
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
            if (account.Module.Capabilities.UsesDateBuckets && Grouping.TryBucketBounds(bucket, job.Bucket, out var s, out var e))
            {
                (start, end) = (s, e);
                used = await store.UsedUsageDatesAsync(job.Provider, target, s, e, 0, cancellationToken);
            }

            var decision = outOfRange.Contains((target, bucket))
                ? new GroupDecision(SubmissionStatus.Rejected, Grouping.TotalOutOfRangeReason, null)
                : decider.Decide(new ClaimedGroup(0, target, start, end, group.Rows, group.Total, null, group.Last, []), new GroupFacts(used, 0));
            summary.Groups++;
            summary.Planned.Add(new RunSummary.PlannedSubmission(target.ToString(), group.Rows, group.Total,
                decision.Status == SubmissionStatus.Prepared ? "send" : decision.Status, decision.Reason, target.ValueField));
        }

        summary.Outcome = "dry-run";
        summary.FinishedAt = time.GetUtcNow();
        summary.ExitCode = ExitCodes.Ok;
    }
}
