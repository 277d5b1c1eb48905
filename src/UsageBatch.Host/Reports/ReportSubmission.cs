using System.Text.Json.Serialization;
using UsageBatch.Billing;

namespace UsageBatch.Reports;

/// <summary>
/// One ledger submission as this run left it. Status, reason and provider ids come from the events this run
/// recorded, so a later run (or reconcile writing a receipt) does not change this run's report.
/// </summary>
/// <param name="Unit">The currency for amounts, <c>units</c> for quantities.</param>
/// <param name="FinishedForRun">The run that prepared it, when this run finished a dead run's work.</param>
/// <param name="RowIds">The covered usage rows as compact ranges (<c>1-5,9</c>).</param>
internal sealed record ReportSubmission(
    long Id,
    string Status,
    string? Reason,
    string CustomerField,
    string CustomerId,
    string ItemField,
    string ItemId,
    string ValueKind,
    string Unit,
    int RowCount,
    decimal Total,
    decimal? EchoedTotal,
    DateTimeOffset? BucketStart,
    DateTimeOffset? UsageDate,
    string? UsageId,
    string? ProviderUsageId,
    string? ProviderReceiptId,
    int? HttpStatus,
    string? ProviderCode,
    string RowIds,
    IReadOnlyList<ReportEvent> Events,
    long? FinishedForRun = null)
{
    /// <summary>
    /// <see cref="Status"/> as a ledger state, or null when the run recorded no state event for it (then Status is
    /// the last event's name). Status stays the text the run recorded: that is what the report files show.
    /// </summary>
    [JsonIgnore]
    public SubmissionStatus? State => SubmissionStatusText.TryParse(Status);
}
