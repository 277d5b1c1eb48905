using System.Text.Json;
using UsageBatch.Providers.Http;

namespace UsageBatch.Providers.Chargebee;

/// <summary>Reads <c>{"invoice": {…}}</c>: the status and the metered lines (quantity_in_decimal when present, else quantity).</summary>
internal static class ChargebeeInvoiceBody
{
    public static ProviderInvoice? Parse(string? body)
    {
        using var doc = JsonRead.TryParseObject(body);
        if (doc is null || !doc.RootElement.TryGetProperty("invoice", out var invoice) || JsonRead.String(invoice, "id") is not { Length: > 0 } id)
        {
            return null;
        }

        var lines = new List<ProviderInvoiceLine>();
        if (invoice.TryGetProperty("line_items", out var items) && items.ValueKind == JsonValueKind.Array)
        {
            foreach (var line in items.EnumerateArray())
            {
                // Only metered lines carry usage (the provider's API docs: metered = true, entity_id = the item price).
                if (line.TryGetProperty("metered", out var metered) && metered.ValueKind == JsonValueKind.True
                    && JsonRead.String(line, "id") is { } lineId && JsonRead.String(line, "entity_id") is { } itemPrice
                    && JsonRead.UnixSeconds(line, "date_from") is { } from && JsonRead.UnixSeconds(line, "date_to") is { } to)
                {
                    var quantity = JsonRead.Decimal(line, "quantity_in_decimal") ?? JsonRead.Decimal(line, "quantity") ?? 0m;
                    lines.Add(new ProviderInvoiceLine(lineId, itemPrice, quantity, from, to));
                }
            }
        }

        return new ProviderInvoice(id, JsonRead.String(invoice, "status") ?? "", JsonRead.UnixSeconds(invoice, "date"), lines);
    }
}
