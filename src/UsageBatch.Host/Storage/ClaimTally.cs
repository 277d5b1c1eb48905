using UsageBatch.Billing;
using UsageBatch.Usage;

namespace UsageBatch.Storage;

/// <summary>
/// What a group's claim has taken so far, over its batches: the ledger row, the rows claimed and their total and
/// time span, and the rows the claim's check rejected. <see cref="Mark"/> before a batch's transaction and
/// <see cref="Restore"/> at the start of every attempt of it, so a transaction run again after a deadlock counts
/// its rows once.
/// </summary>
internal sealed class ClaimTally(PendingGroup group)
{
    public PendingGroup Group { get; } = group;

    public long SubmissionId { get; set; }

    public List<long> Ids { get; } = [];

    public List<RowRejection> Rejected { get; } = [];

    public decimal Total { get; private set; }

    /// <summary>The rows add up past what the ledger holds exactly: the group is rejected, never rounded.</summary>
    public bool OutOfRange { get; private set; }

    public DateTimeOffset? First { get; private set; }

    public DateTimeOffset? Last { get; private set; }

    /// <summary>Nothing billable remained for this group (another run claimed it first, or every row was rejected): its ledger row goes.</summary>
    public bool IsEmpty => Ids.Count == 0;

    public void Add(UsageRow row)
    {
        Ids.Add(row.Id);
        if (!OutOfRange && Grouping.TryAdd(Total, row.Value(Group.Target.ValueField), out var sum))
        {
            Total = sum;
        }
        else
        {
            OutOfRange = true;
        }

        var occurredAt = row.OccurredAtUtc;
        First = First is null || occurredAt < First ? occurredAt : First;
        Last = Last is null || occurredAt > Last ? occurredAt : Last;
    }

    /// <summary>
    /// Sorts the counted ids for the ledger's snapshot and refuses a row counted twice. The claim only takes a row
    /// whose previous submission frees it, so a duplicate means that rule was broken (by a statement, or by a DBA's
    /// edit between two batches it failed to see): deciding the group would bill that row twice, so nothing of it
    /// is decided or sent. Checked here, once, on the sorted list: no per-row set held for a million-row run.
    /// </summary>
    public void SortAndCheckIds()
    {
        Ids.Sort();
        for (var i = 1; i < Ids.Count; i++)
        {
            if (Ids[i] == Ids[i - 1])
            {
                throw new InvalidOperationException(
                    $"row {Ids[i]} of {Group.Target.CustomerId} / {Group.Target.ItemId} was claimed twice into submission {SubmissionId}; nothing of that group is sent");
            }
        }
    }

    public ClaimedGroup ToClaimed() =>
        new(SubmissionId, Group.Target, Group.BucketStart, Group.BucketEnd, Ids.Count, Total, First, Last, [.. Rejected]);

    public Snapshot Mark() => new(SubmissionId, Ids.Count, Rejected.Count, Total, OutOfRange, First, Last);

    public void Restore(Snapshot snapshot)
    {
        SubmissionId = snapshot.SubmissionId;
        Ids.RemoveRange(snapshot.Ids, Ids.Count - snapshot.Ids);
        Rejected.RemoveRange(snapshot.Rejected, Rejected.Count - snapshot.Rejected);
        Total = snapshot.Total;
        OutOfRange = snapshot.OutOfRange;
        First = snapshot.First;
        Last = snapshot.Last;
    }

    internal readonly record struct Snapshot(long SubmissionId, int Ids, int Rejected, decimal Total, bool OutOfRange, DateTimeOffset? First, DateTimeOffset? Last);
}
