namespace UsageBatch.Providers;

/// <summary>
/// A provider's payment (Whop: "a receipt for a membership"), with the usages it charged: how reconcile shows whether a
/// billed usage was actually paid, refunded or failed.
/// </summary>
internal sealed record ProviderPayment(
    string Id,
    string Status,
    IReadOnlyList<string> UsageIds,
    decimal? FinalAmount,
    decimal? RefundedAmount,
    string? Currency,
    DateTimeOffset? PaidAt,
    DateTimeOffset? RefundedAt)
{
    /// <summary>Paid and not refunded, in full or in part.</summary>
    public bool IsPaidInFull => Status == "paid" && (RefundedAmount ?? 0m) == 0m;
}
