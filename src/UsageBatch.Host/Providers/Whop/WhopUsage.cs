using System.Text.Json;
using UsageBatch.Providers.Http;

namespace UsageBatch.Providers.Whop;

/// <summary>A billing usage as Whop v5 returns it from create, retrieve and list.</summary>
internal sealed record WhopUsage(
    string Id,
    DateTimeOffset CreatedAt,
    string? CompanyId,
    string? MembershipId,
    string? BillingItemId,
    string? BillingItemIdentifier,
    decimal? Quantity,
    decimal? Amount,
    string? ReceiptId)
{
    public static WhopUsage? From(JsonElement obj)
    {
        var id = JsonRead.String(obj, "id");
        if (string.IsNullOrEmpty(id))
        {
            return null;
        }

        return new WhopUsage(
            id,
            JsonRead.UnixSeconds(obj, "created_at") ?? DateTimeOffset.MinValue,
            JsonRead.String(obj, "company_id"),
            JsonRead.String(obj, "membership_id"),
            JsonRead.String(obj, "billing_item_id"),
            JsonRead.String(obj, "billing_item_identifier"),
            JsonRead.Decimal(obj, "quantity"),
            JsonRead.Decimal(obj, "amount"),
            JsonRead.String(obj, "receipt_id"));
    }

    /// <summary>The value of the field the submission sent (<c>quantity</c> or <c>amount</c>).</summary>
    public decimal? Value(string valueField) => valueField == "amount" ? Amount : Quantity;

    public ProviderUsage ToProviderUsage()
    {
        var (customerField, customerId) = MembershipId is not null ? ("membership_id", MembershipId) : ("company_id", CompanyId ?? "");
        var (itemField, itemId) = BillingItemId is not null ? ("billing_item_id", BillingItemId) : ("billing_item_identifier", BillingItemIdentifier ?? "");
        var (valueField, value) = Quantity is { } q ? ("quantity", q) : ("amount", Amount ?? 0m);
        return new ProviderUsage(Id, new SubmissionTarget(customerField, customerId, itemField, itemId, valueField), value, CreatedAt, null, ReceiptId);
    }
}
