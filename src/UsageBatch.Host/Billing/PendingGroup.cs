using UsageBatch.Providers;

namespace UsageBatch.Billing;

/// <summary>One group of pending rows as the aggregate query sees it (before claiming).</summary>
/// <param name="BucketStart">Chargebee: the start of the group's hour/day/month bucket; null for Whop.</param>
internal sealed record PendingGroup(
    SubmissionTarget Target,
    DateTimeOffset? BucketStart,
    DateTimeOffset? BucketEnd,
    long RowCount,
    decimal Total,
    DateTimeOffset LastOccurredAt);
