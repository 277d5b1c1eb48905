using UsageBatch.Providers;
using UsageBatch.Usage;

namespace UsageBatch.Billing;

/// <summary>What a claim actually took: the truth the ledger row is written from (rows may have changed since the aggregate).</summary>
internal sealed record ClaimedGroup(
    long SubmissionId,
    SubmissionTarget Target,
    DateTimeOffset? BucketStart,
    DateTimeOffset? BucketEnd,
    int RowCount,
    decimal Total,
    DateTimeOffset? FirstOccurredAt,
    DateTimeOffset? LastOccurredAt,
    IReadOnlyList<RowRejection> Rejected);
