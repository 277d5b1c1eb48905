using UsageBatch.Usage;
using System.Text.Json;
using UsageBatch.Providers.Http;

namespace UsageBatch.Providers.Chargebee;

/// <summary>A usage as Chargebee returns it (<c>{"usage": {…}}</c> on create/retrieve, inside <c>list[]</c> on list).</summary>
internal sealed record ChargebeeUsage(
    string Id,
    string? SubscriptionId,
    string? ItemPriceId,
    decimal? Quantity,
    DateTimeOffset? UsageDate,
    DateTimeOffset? CreatedAt,
    string? InvoiceId)
{
    public string? LineItemId { get; init; }

    public static ChargebeeUsage? FromWrapper(JsonElement wrapper) =>
        wrapper.ValueKind == JsonValueKind.Object && wrapper.TryGetProperty("usage", out var usage) ? From(usage) : null;

    public static ChargebeeUsage? From(JsonElement usage)
    {
        var id = JsonRead.String(usage, "id");
        if (string.IsNullOrEmpty(id))
        {
            return null;
        }

        return new ChargebeeUsage(
            id,
            JsonRead.String(usage, "subscription_id"),
            JsonRead.String(usage, "item_price_id"),
            JsonRead.Decimal(usage, "quantity"),
            JsonRead.UnixSeconds(usage, "usage_date"),
            JsonRead.UnixSeconds(usage, "created_at"),
            JsonRead.String(usage, "invoice_id"))
        {
            LineItemId = JsonRead.String(usage, "line_item_id"),
        };
    }

    /// <summary>Parses a create or retrieve body.</summary>
    public static ChargebeeUsage? FromBody(string? body)
    {
        using var doc = JsonRead.TryParseObject(body);
        return doc is null ? null : FromWrapper(doc.RootElement);
    }

    /// <summary>
    /// Which field differs from what we meant to record, or null when it is our usage. Quantities compare as exact
    /// decimals (1.50 equals 1.5); the date to the second.
    /// </summary>
    public string? Difference(ProviderSubmission submission)
    {
        ArgumentNullException.ThrowIfNull(submission);
        if (SubscriptionId != submission.Target.CustomerId)
        {
            return $"subscription_id is {SubscriptionId ?? "missing"}, expected {submission.Target.CustomerId}";
        }

        if (ItemPriceId != submission.Target.ItemId)
        {
            return $"item_price_id is {ItemPriceId ?? "missing"}, expected {submission.Target.ItemId}";
        }

        if (Quantity != submission.Total)
        {
            return $"quantity is {(Quantity is { } q ? DecimalText.Format(q) : "missing")}, expected {DecimalText.Format(submission.Total)}";
        }

        var expectedDate = submission.UsageDate?.ToUnixTimeSeconds();
        if (UsageDate?.ToUnixTimeSeconds() != expectedDate)
        {
            return $"usage_date is {UsageDate?.ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "missing"}, expected {expectedDate?.ToString(System.Globalization.CultureInfo.InvariantCulture)}";
        }

        return null;
    }

    public ProviderUsage ToProviderUsage() =>
        new(Id, SubmissionTarget.Chargebee(SubscriptionId ?? "", ItemPriceId ?? ""), Quantity ?? 0m, CreatedAt ?? DateTimeOffset.MinValue, UsageDate, InvoiceId)
        {
            LineItemId = LineItemId,
        };
}
