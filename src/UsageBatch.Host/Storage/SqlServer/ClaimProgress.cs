using UsageBatch.Billing;
using UsageBatch.Usage;

namespace UsageBatch.Storage.SqlServer;

internal enum ClaimStep
{
    More,
    Nothing,
    Decided,
}

/// <summary>
/// What a group's claim has taken so far, over its batches. <see cref="Mark"/> before a batch's transaction and
/// <see cref="Restore"/> at the start of every attempt of it, so a transaction run again after a deadlock counts
/// its rows once.
/// </summary>
internal sealed class ClaimProgress
{
    public long SubmissionId { get; set; }

    public List<long> Ids { get; } = [];

    public List<RowRejection> Rejected { get; } = [];

    public decimal Total { get; private set; }

    public DateTimeOffset? First { get; private set; }

    public DateTimeOffset? Last { get; private set; }

    public ClaimedGroup? Group { get; set; }

    public GroupDecision? Decision { get; set; }

    public void Add(UsageRow row, string valueField)
    {
        Ids.Add(row.Id);
        Total += DecimalText.Parse((valueField == "amount" ? row.Amount : row.Quantity)!);
        var occurredAt = UtcText.Parse(row.OccurredAt!);
        First = First is null || occurredAt < First ? occurredAt : First;
        Last = Last is null || occurredAt > Last ? occurredAt : Last;
    }

    public Snapshot Mark() => new(SubmissionId, Ids.Count, Rejected.Count, Total, First, Last);

    public void Restore(Snapshot snapshot)
    {
        SubmissionId = snapshot.SubmissionId;
        Ids.RemoveRange(snapshot.Ids, Ids.Count - snapshot.Ids);
        Rejected.RemoveRange(snapshot.Rejected, Rejected.Count - snapshot.Rejected);
        Total = snapshot.Total;
        First = snapshot.First;
        Last = snapshot.Last;
        Group = null;
        Decision = null;
    }

    internal readonly record struct Snapshot(long SubmissionId, int Ids, int Rejected, decimal Total, DateTimeOffset? First, DateTimeOffset? Last);
}
