namespace UsageBatch.Providers;

/// <summary>
/// A range of provider usages to list. Chargebee filters by usage_date on the server; Whop has no date
/// filter, so its client filters <c>created_at</c> client-side and needs customer and/or item filters to stay cheap.
/// Null filters mean "any".
/// </summary>
internal sealed record UsageListQuery(
    DateTimeOffset From,
    DateTimeOffset To,
    string? CustomerField = null,
    string? CustomerId = null,
    string? ItemField = null,
    string? ItemId = null)
{
    /// <summary>Only the usages on this invoice (Chargebee's invoice_id filter).</summary>
    public string? InvoiceId { get; init; }
}
