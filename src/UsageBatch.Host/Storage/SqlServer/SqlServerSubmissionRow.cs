using UsageBatch.Billing;
using UsageBatch.Providers;
using static UsageBatch.Storage.SqlServer.SqlServerDatabase;

namespace UsageBatch.Storage.SqlServer;

/// <summary>ub_submission as SQL Server returns it (typed); mapped explicitly to <see cref="LedgerSubmission"/>.</summary>
internal sealed class SqlServerSubmissionRow
{
    public long Id { get; set; }
    public long CreatedRunId { get; set; }
    public long OwnerRunId { get; set; }

    /// <summary>Only in the adoption query's answer: the run that left the submission.</summary>
    public long? PreviousOwner { get; set; }
    public string Job { get; set; } = "";
    public string ProviderAccount { get; set; } = "";
    public string UsageTable { get; set; } = "";
    public string CustomerField { get; set; } = "";
    public string CustomerId { get; set; } = "";
    public string ItemField { get; set; } = "";
    public string ItemId { get; set; } = "";
    public string ValueField { get; set; } = "";
    public DateTime? BucketStart { get; set; }
    public DateTime? BucketEnd { get; set; }
    public DateTime? UsageDate { get; set; }
    public string? UsageId { get; set; }
    public string Status { get; set; } = "";
    public string? StatusReason { get; set; }
    public int RowCount { get; set; }
    public decimal Total { get; set; }
    public int Attempts { get; set; }
    public DateTime? FirstSentAt { get; set; }
    public DateTime? LastAttemptAt { get; set; }
    public string? ProviderUsageId { get; set; }
    public string? ProviderReceiptId { get; set; }
    public decimal? EchoedTotal { get; set; }
    public DateTime? SettledAt { get; set; }

    public LedgerSubmission ToLedger() => new(
        Id, CreatedRunId, OwnerRunId, Job, ProviderAccount, UsageTable,
        new SubmissionTarget(CustomerField, CustomerId, ItemField, ItemId, ValueField),
        Utc(BucketStart), Utc(BucketEnd), Utc(UsageDate), UsageId,
        Status, StatusReason, RowCount, Total, Attempts,
        Utc(FirstSentAt), Utc(LastAttemptAt), ProviderUsageId, ProviderReceiptId, EchoedTotal, Utc(SettledAt));
}
