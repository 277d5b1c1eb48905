namespace UsageBatch.Billing;

/// <summary>Ledger facts a claim decision needs, read inside the claim's transaction.</summary>
/// <param name="UsedUsageDates">Chargebee: usage_dates our ledger already used for this (subscription, item price) within the bucket.</param>
/// <param name="UsagesCountedTowardCap">Chargebee: submissions of this subscription that exist or may exist at the provider.</param>
internal sealed record GroupFacts(IReadOnlySet<DateTimeOffset> UsedUsageDates, int UsagesCountedTowardCap);
