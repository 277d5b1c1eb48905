using System.Globalization;
using Microsoft.Extensions.Primitives;

namespace UsageBatch.Emulator.Chargebee;

/// <summary>
/// Create-a-usage: the field rules and Chargebee's usage rules, checked in the order a client would meet them
/// (unknown subscription, field validation, item price, duplicate id, date clash, cap). Whether it is ever billed is
/// decided at invoicing, never here.
/// </summary>
internal sealed class ChargebeeUsageWriter(EmulatorState state)
{
    private const int MaxIdLength = 100;
    private const int MaxQuantityLength = 40;
    private const int MaxNoteLength = 500;

    public ProviderResponse Create(
        string subscriptionId,
        IReadOnlyDictionary<string, StringValues> form,
        IReadOnlyDictionary<string, string> recordedHeaders,
        string source)
    {
        lock (state.Gate)
        {
            // Renew first: a usage dated in a term that has already ended must meet that term's invoice as it stands
            // (pending or closed), not be swept into it by a renewal the emulator had not got round to.
            ChargebeeRenewals.CatchUp(state);
            var fixtures = state.Fixtures;
            var subscription = fixtures.Chargebee.Subscriptions.FirstOrDefault(s => s.Id == subscriptionId);
            if (subscription is null)
            {
                return ChargebeeError.NotFound($"Sorry, we couldn't find that resource: subscription {subscriptionId}");
            }

            var id = Field(form, "id");
            if (id is not null && (id.Length == 0 || id.Length > MaxIdLength))
            {
                return ChargebeeError.WrongValue("id", $"must be 1 to {MaxIdLength} characters");
            }

            var itemPriceId = Field(form, "item_price_id");
            if (string.IsNullOrEmpty(itemPriceId))
            {
                return ChargebeeError.Missing("item_price_id");
            }

            if (itemPriceId.Length > MaxIdLength)
            {
                return ChargebeeError.WrongValue("item_price_id", $"cannot be longer than {MaxIdLength} characters");
            }

            var quantity = Field(form, "quantity");
            if (string.IsNullOrEmpty(quantity))
            {
                return ChargebeeError.Missing("quantity");
            }

            var decimals = fixtures.Settings.Chargebee.QuantityDecimals;
            if (QuantityProblem(quantity, decimals) is { } quantityProblem)
            {
                return ChargebeeError.WrongValue("quantity", quantityProblem);
            }

            var usageDateText = Field(form, "usage_date");
            if (string.IsNullOrEmpty(usageDateText))
            {
                return ChargebeeError.Missing("usage_date");
            }

            if (!long.TryParse(usageDateText, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var usageDate))
            {
                return ChargebeeError.WrongValue("usage_date", "must be an integer timestamp in seconds");
            }

            var note = Field(form, "note");
            if (note is not null && note.Length > MaxNoteLength)
            {
                return ChargebeeError.WrongValue("note", $"cannot be longer than {MaxNoteLength} characters");
            }

            if (!subscription.ItemPrices.Contains(itemPriceId))
            {
                return ChargebeeError.InvalidRequest("item_price_id", $"The item price {itemPriceId} is not part of the subscription {subscriptionId}");
            }

            // A date outside the active period, or a subscription that is neither active nor non_renewing, is no
            // refusal: the usage is stored and simply never billed (the provider's API docs).

            // inferred (the provider's API docs [I]; our choice): duplicate id -> duplicate_entry, param id.
            if (id is not null && state.ChargebeeUsages.Any(u => u.Id == id))
            {
                return ChargebeeError.Respond(400, $"The value {id} is already present.", "invalid_request", "duplicate_entry", "id", "duplicate_entry");
            }

            // inferred (the provider's API docs [I]; our choice): a date clash -> invalid_request, param usage_date.
            if (state.ChargebeeUsages.Any(u => u.SubscriptionId == subscriptionId && u.ItemPriceId == itemPriceId && u.UsageDate == usageDate))
            {
                return ChargebeeError.InvalidRequest("usage_date", "A usage already exists for this item price with the same usage_date");
            }

            // inferred (the provider's API docs [I]): the lifetime cap -> resource_limit_exceeded.
            var max = fixtures.Settings.Chargebee.MaxUsagesPerSubscription;
            if (subscription.ExistingUsages + state.ChargebeeUsages.Count(u => u.SubscriptionId == subscriptionId) >= max)
            {
                return ChargebeeError.Respond(400, $"The maximum number of usages ({max}) for the subscription has been reached",
                    "invalid_request", "resource_limit_exceeded", null, "resource_limit_exceeded");
            }

            var now = state.Time.GetUtcNow();
            var usage = new ChargebeeUsage
            {
                Id = id ?? Ids.New("usage_"),
                UsageDate = usageDate,
                SubscriptionId = subscriptionId,
                ItemPriceId = itemPriceId,
                Quantity = quantity,
                Source = source,
                Note = note,
                ResourceVersion = now.ToUnixTimeMilliseconds(),
                UpdatedAt = now.ToUnixTimeSeconds(),
                CreatedAt = now.ToUnixTimeSeconds(),
                Sequence = state.NextSequence(),
                RequestHeaders = recordedHeaders,
            };
            state.ChargebeeUsages.Add(usage);
            // inferred (the provider's API docs [I]): a successful write answers 200.
            return ProviderResponse.Json(200, new ChargebeeUsageEnvelope(usage));
        }
    }

    private static string? Field(IReadOnlyDictionary<string, StringValues> form, string name) =>
        form.TryGetValue(name, out var values) ? values.ToString() : null;

    /// <summary>
    /// quantity is a string on the wire: a plain decimal (no sign, exponent or separators), greater than 0
    /// (inferred, the provider's API docs), with at most the site's decimal places (inferred, the provider's API docs [I]).
    /// </summary>
    private static string? QuantityProblem(string quantity, int maxDecimals)
    {
        if (quantity.Length > MaxQuantityLength)
        {
            return $"cannot be longer than {MaxQuantityLength} characters";
        }

        var dot = quantity.IndexOf('.', StringComparison.Ordinal);
        var whole = dot < 0 ? quantity : quantity[..dot];
        var fraction = dot < 0 ? "" : quantity[(dot + 1)..];
        if (whole.Length == 0 || !whole.All(char.IsAsciiDigit) || (dot >= 0 && (fraction.Length == 0 || !fraction.All(char.IsAsciiDigit))))
        {
            return "must be a plain decimal number";
        }

        if (fraction.Length > maxDecimals)
        {
            return $"cannot have more than {maxDecimals} decimal places";
        }

        if (!decimal.TryParse(quantity, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var value) || value <= 0)
        {
            return "must be greater than 0";
        }

        return null;
    }
}
