namespace UsageBatch.Providers;

/// <summary>
/// Who and what one usage is for, named with the provider's own request fields so the ledger, the
/// clients and the reports speak the same language.
/// Whop: <c>membership_id</c>|<c>company_id</c>, <c>billing_item_id</c>|<c>billing_item_identifier</c>,
/// <c>quantity</c>|<c>amount</c>. Chargebee: <c>subscription_id</c>, <c>item_price_id</c>, <c>quantity</c>.
/// </summary>
internal sealed record SubmissionTarget(
    string CustomerField,
    string CustomerId,
    string ItemField,
    string ItemId,
    string ValueField)
{
    public static SubmissionTarget Chargebee(string subscriptionId, string itemPriceId) =>
        new("subscription_id", subscriptionId, "item_price_id", itemPriceId, "quantity");

    public override string ToString() => $"{CustomerField}={CustomerId} {ItemField}={ItemId} ({ValueField})";
}
