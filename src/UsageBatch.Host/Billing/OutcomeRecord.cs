namespace UsageBatch.Billing;

/// <summary>The outcome of a submission as written to the ledger (before its rows are settled).</summary>
internal sealed record OutcomeRecord(
    long SubmissionId,
    long RunId,
    SubmissionStatus Status,
    string? Reason,
    string Event,
    DateTimeOffset Now,
    string? ProviderUsageId = null,
    string? ProviderReceiptId = null,
    decimal? EchoedTotal = null,
    int? HttpStatus = null,
    string? ProviderCode = null);
