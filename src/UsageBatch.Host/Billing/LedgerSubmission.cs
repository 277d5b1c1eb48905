using UsageBatch.Providers;

namespace UsageBatch.Billing;

/// <summary>A ledger row (ub_submission) as the run and the reports read it.</summary>
internal sealed record LedgerSubmission(
    long Id,
    long CreatedRunId,
    long OwnerRunId,
    string Job,
    string ProviderAccount,
    string UsageTable,
    SubmissionTarget Target,
    DateTimeOffset? BucketStart,
    DateTimeOffset? BucketEnd,
    DateTimeOffset? UsageDate,
    string? UsageId,
    SubmissionStatus Status,
    string? StatusReason,
    int RowCount,
    decimal Total,
    int Attempts,
    DateTimeOffset? FirstSentAt,
    DateTimeOffset? LastAttemptAt,
    string? ProviderUsageId,
    string? ProviderReceiptId,
    decimal? EchoedTotal,
    DateTimeOffset? SettledAt)
{
    /// <summary>When recovery has just adopted it: the (dead or finished) run that left it, for the log and the ledger event.</summary>
    public long? AdoptedFrom { get; init; }

    /// <summary>The earliest and latest occurred_at of the rows it covers (set when the claim decides it).</summary>
    public DateTimeOffset? FirstOccurredAt { get; init; }

    public DateTimeOffset? LastOccurredAt { get; init; }
}
