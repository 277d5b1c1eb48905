namespace UsageBatch.Billing;

/// <summary>What the ledger row becomes once its rows are claimed: prepared (to send), zero, rejected or held.</summary>
internal sealed record GroupDecision(SubmissionStatus Status, string? Reason, DateTimeOffset? UsageDate);
