namespace UsageBatch.Usage;

/// <summary>
/// One usage row as read from either usage table (columns the other table lacks are null). Values stay text
/// until validated: a DBA's typo must become a rejection with a reason, not a crash.
/// </summary>
internal sealed record UsageRow(
    long Id,
    string? SourceKey,
    string? CompanyId,
    string? MembershipId,
    string? BillingItemId,
    string? BillingItemIdentifier,
    string? Amount,
    string? Quantity,
    string? SubscriptionId,
    string? ItemPriceId,
    string? OccurredAt);
