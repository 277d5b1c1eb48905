namespace UsageBatch.Providers;

/// <summary>A usage as the provider holds it (from create, retrieve or list).</summary>
/// <param name="Value">Whop: amount or quantity (whichever <see cref="SubmissionTarget.ValueField"/> names); Chargebee: quantity.</param>
/// <param name="ReceiptId">Whop receipt_id (the id of the payment that charged it, pay_…); Chargebee invoice_id once invoiced.</param>
internal sealed record ProviderUsage(
    string Id,
    SubmissionTarget Target,
    decimal Value,
    DateTimeOffset CreatedAt,
    DateTimeOffset? UsageDate,
    string? ReceiptId)
{
    /// <summary>Chargebee: the invoice line the usage is on (line_item_id), once invoiced.</summary>
    public string? LineItemId { get; init; }
}
