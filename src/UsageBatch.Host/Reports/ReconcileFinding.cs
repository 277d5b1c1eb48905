namespace UsageBatch.Reports;

/// <summary>
/// One difference (or update) between our ledger and the provider's own list of usages.
/// </summary>
/// <param name="Kind">See <see cref="ReconcileKinds"/>.</param>
/// <param name="OurValue">The submission's total in our ledger.</param>
/// <param name="ProviderValue">The quantity or amount the provider holds.</param>
internal sealed record ReconcileFinding(
    string Kind,
    long? SubmissionId,
    string? ProviderUsageId,
    string CustomerField,
    string CustomerId,
    string ItemField,
    string ItemId,
    string ValueKind,
    decimal? OurValue,
    decimal? ProviderValue,
    string? ReceiptId,
    DateTimeOffset? UsageDate,
    DateTimeOffset? CreatedAt,
    string Detail);
