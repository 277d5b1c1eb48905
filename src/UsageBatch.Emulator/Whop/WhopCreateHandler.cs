using System.Text.Json;

namespace UsageBatch.Emulator.Whop;

/// <summary>POST /api/v5/app/billing_usages: validation, resolution and storage of one usage.</summary>
internal sealed class WhopCreateHandler(EmulatorState state)
{
    /// <summary>Whop returns an app id on every usage; the emulator is one app.</summary>
    public const string AppId = "app_Emulator0001";

    public ProviderResponse Handle(string body)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(body);
        }
        catch (JsonException)
        {
            return WhopMessage.Respond(400, "Malformed JSON body");
        }

        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                return WhopMessage.Respond(400, "The body must be a JSON object");
            }

            return Create(document.RootElement);
        }
    }

    private ProviderResponse Create(JsonElement root)
    {
        // inferred (the provider's API docs [I]): exactly one of each OR-pair; the docs only say "or".
        if (!TryString(root, "billing_item_id", out var itemId, out var error)
            || !TryString(root, "billing_item_identifier", out var identifier, out error)
            || !TryString(root, "company_id", out var companyId, out error)
            || !TryString(root, "membership_id", out var membershipId, out error))
        {
            return WhopMessage.Respond(400, error);
        }

        if ((itemId is null) == (identifier is null))
        {
            return WhopMessage.Respond(400, "Supply exactly one of billing_item_id or billing_item_identifier");
        }

        if ((companyId is null) == (membershipId is null))
        {
            return WhopMessage.Respond(400, "Supply exactly one of company_id or membership_id");
        }

        if (!TryPositiveNumber(root, "amount", out var amount, out error)
            || !TryPositiveNumber(root, "quantity", out var quantity, out error))
        {
            return WhopMessage.Respond(400, error);
        }

        lock (state.Gate)
        {
            var fixtures = state.Fixtures;
            var item = itemId is not null
                ? fixtures.Whop.BillingItems.FirstOrDefault(i => i.Id == itemId)
                : fixtures.Whop.BillingItems.FirstOrDefault(i => i.Identifier == identifier);
            if (item is null)
            {
                return WhopMessage.Respond(404, "Not found");
            }

            string resolvedCompany;
            if (membershipId is not null)
            {
                var membership = fixtures.Whop.Memberships.FirstOrDefault(m => m.Id == membershipId);
                if (membership is null)
                {
                    return WhopMessage.Respond(404, "Not found");
                }

                resolvedCompany = membership.CompanyId;
            }
            else
            {
                if (!fixtures.Whop.Companies.Contains(companyId!))
                {
                    return WhopMessage.Respond(404, "Not found");
                }

                resolvedCompany = companyId!;
            }

            var variable = string.Equals(item.Type, "variable", StringComparison.OrdinalIgnoreCase);
            if (variable && (amount is null || quantity is not null))
            {
                return WhopMessage.Respond(400, "A variable billing item takes amount and not quantity");
            }

            if (!variable && (quantity is null || amount is not null))
            {
                return WhopMessage.Respond(400, "A structured billing item takes quantity and not amount");
            }

            var usage = new WhopUsage
            {
                Id = Ids.New("bu_"),
                CreatedAt = state.Time.GetUtcNow().ToUnixTimeSeconds(),
                CompanyId = resolvedCompany,
                AppId = AppId,
                MembershipId = membershipId,
                BillingItemId = item.Id,
                Quantity = quantity,
                Amount = amount,
                Sequence = state.NextSequence(),
                ProductId = item.ProductId,
                BillingItemIdentifier = item.Identifier,
            };
            if (fixtures.Settings.Whop.ReceiptOnCreate)
            {
                // A receipt at create is a payment made at once, so every receipt_id resolves to a payment.
                WhopCharge.Pay(state, [usage]);
            }

            state.WhopUsages.Add(usage);
            return ProviderResponse.Json(201, usage);
        }
    }

    /// <summary>Reads an optional string field; JSON null counts as absent.</summary>
    private static bool TryString(JsonElement root, string name, out string? value, out string error)
    {
        value = null;
        error = "";
        if (!root.TryGetProperty(name, out var element) || element.ValueKind == JsonValueKind.Null)
        {
            return true;
        }

        if (element.ValueKind != JsonValueKind.String || string.IsNullOrEmpty(element.GetString()))
        {
            error = $"{name} must be a non-empty string";
            return false;
        }

        value = element.GetString();
        return true;
    }

    /// <summary>
    /// Reads an optional number as decimal (never double, so 0.3 echoes as 0.3).
    /// inferred (the provider's API docs [?]): a value must be a JSON number greater than 0.
    /// </summary>
    private static bool TryPositiveNumber(JsonElement root, string name, out decimal? value, out string error)
    {
        value = null;
        error = "";
        if (!root.TryGetProperty(name, out var element) || element.ValueKind == JsonValueKind.Null)
        {
            return true;
        }

        if (element.ValueKind != JsonValueKind.Number || !element.TryGetDecimal(out var number) || number <= 0)
        {
            error = $"{name} must be a number greater than 0";
            return false;
        }

        value = number;
        return true;
    }
}
