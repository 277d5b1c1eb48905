using UsageBatch.Billing;
using UsageBatch.Providers;
using UsageBatch.Usage;

namespace UsageBatch.Storage.Sqlite;

/// <summary>ub_submission as SQLite returns it (all text); mapped explicitly to <see cref="LedgerSubmission"/>.</summary>
internal sealed class SubmissionRowDto
{
    public long Id { get; set; }
    public long CreatedRunId { get; set; }
    public long OwnerRunId { get; set; }
    public string Job { get; set; } = "";
    public string ProviderAccount { get; set; } = "";
    public string UsageTable { get; set; } = "";
    public string CustomerField { get; set; } = "";
    public string CustomerId { get; set; } = "";
    public string ItemField { get; set; } = "";
    public string ItemId { get; set; } = "";
    public string ValueField { get; set; } = "";
    public string? BucketStart { get; set; }
    public string? BucketEnd { get; set; }
    public string? UsageDate { get; set; }
    public string? UsageId { get; set; }
    public string Status { get; set; } = "";
    public string? StatusReason { get; set; }
    public long RowCount { get; set; }
    public string Total { get; set; } = "0";
    public long Attempts { get; set; }
    public string? FirstSentAt { get; set; }
    public string? LastAttemptAt { get; set; }
    public string? ProviderUsageId { get; set; }
    public string? ProviderReceiptId { get; set; }
    public string? EchoedTotal { get; set; }
    public string? SettledAt { get; set; }

    public LedgerSubmission ToLedger() => new(
        Id, CreatedRunId, OwnerRunId, Job, ProviderAccount, UsageTable,
        new SubmissionTarget(CustomerField, CustomerId, ItemField, ItemId, ValueField),
        UtcText.ParseOrNull(BucketStart), UtcText.ParseOrNull(BucketEnd), UtcText.ParseOrNull(UsageDate), UsageId,
        Status, StatusReason, (int)RowCount, DecimalText.Parse(Total), (int)Attempts,
        UtcText.ParseOrNull(FirstSentAt), UtcText.ParseOrNull(LastAttemptAt), ProviderUsageId, ProviderReceiptId,
        EchoedTotal is null ? null : DecimalText.Parse(EchoedTotal), UtcText.ParseOrNull(SettledAt));
}
