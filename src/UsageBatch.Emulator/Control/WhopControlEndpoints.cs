using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using UsageBatch.Emulator.Whop;
using static UsageBatch.Emulator.Control.ControlEndpoints;

namespace UsageBatch.Emulator.Control;

/// <summary>
/// /_emulator/whop/*: what Whop does on its own side (charging a customer, refunding or failing a payment),
/// which no v5 call can cause.
/// </summary>
internal static class WhopControlEndpoints
{
    public static void MapWhopControl(this IEndpointRouteBuilder routes, string prefix, EmulatorState state)
    {
        routes.MapPost(prefix + "/whop/charge", ChargeAsync(state));
        routes.MapPost(prefix + "/whop/payments/{id}/refund", RefundAsync(state));
        routes.MapPost(prefix + "/whop/payments/{id}/fail", context =>
            ActAsync(context, state, payment => WhopPaymentActions.Fail(state, payment)));
    }

    /// <summary>
    /// Simulates Whop charging a customer: one paid payment (a receipt) for all its usages without one. Takes
    /// membershipId, or companyId for usages recorded against a company directly (those have no membership to
    /// charge). Answers the payment's id as receipt_id and payment_id, and the usages it charged.
    /// </summary>
    private static RequestDelegate ChargeAsync(EmulatorState state) => async context =>
    {
        var body = await ReadBodyAsync(context);
        var membershipId = StringField(body, "membershipId");
        var companyId = StringField(body, "companyId");
        JsonObject? result = null;
        lock (state.Gate)
        {
            var known = membershipId is not null
                ? state.Fixtures.Whop.Memberships.Any(m => m.Id == membershipId)
                : companyId is not null && state.Fixtures.Whop.Companies.Contains(companyId);
            if (known)
            {
                var usages = state.WhopUsages
                    .Where(u => u.ReceiptId is null)
                    .Where(u => membershipId is not null ? u.MembershipId == membershipId : u.MembershipId is null && u.CompanyId == companyId)
                    .ToList();
                // inferred: nothing to charge makes no payment (an empty one would be a receipt no usage points to).
                var paymentId = usages.Count == 0 ? null : WhopCharge.Pay(state, usages).Id;
                result = new JsonObject
                {
                    ["receipt_id"] = paymentId,
                    ["payment_id"] = paymentId,
                    ["usages"] = JsonSerializer.SerializeToNode(usages, EmulatorJson.Provider),
                };
            }
        }

        await WriteResultAsync(context, result, "Unknown membershipId or companyId");
    };

    /// <summary>Body optional: <c>{"amount": decimal}</c> refunds part; without it, all that is left.</summary>
    private static RequestDelegate RefundAsync(EmulatorState state) => async context =>
    {
        var body = await ReadBodyAsync(context);
        if (!TryAmount(body, out var amount))
        {
            await WriteAsync(context, 400, new JsonObject { ["message"] = "The body must be empty or {\"amount\": a number}" });
            return;
        }

        await ActAsync(context, state, payment => WhopPaymentActions.Refund(state, payment, amount));
    };

    /// <summary>Finds the route's payment, applies <paramref name="action"/> and answers the payment as it now is.</summary>
    private static Task ActAsync(HttpContext context, EmulatorState state, Func<WhopPayment, (int Status, string Message)?> action)
    {
        var id = (string)context.GetRouteValue("id")!;
        int status;
        JsonNode answer;
        lock (state.Gate)
        {
            var payment = state.WhopPayments.FirstOrDefault(p => p.Id == id);
            var problem = payment is null ? (404, "Unknown payment id") : action(payment);
            (status, answer) = problem is { } refusal
                ? (refusal.Status, new JsonObject { ["message"] = refusal.Message })
                : (200, JsonSerializer.SerializeToNode(payment, EmulatorJson.Provider)!);
        }

        return WriteAsync(context, status, answer);
    }

    /// <summary>Reads the optional amount; false when the body is there but is not an object with a numeric (or null) amount.</summary>
    private static bool TryAmount(string body, out decimal? amount)
    {
        amount = null;
        if (string.IsNullOrWhiteSpace(body))
        {
            return true;
        }

        try
        {
            using var document = JsonDocument.Parse(body);
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                return false;
            }

            if (!root.TryGetProperty("amount", out var element) || element.ValueKind == JsonValueKind.Null)
            {
                return true;
            }

            if (element.ValueKind == JsonValueKind.Number && element.TryGetDecimal(out var number))
            {
                amount = number;
                return true;
            }

            return false;
        }
        catch (JsonException)
        {
            return false;
        }
    }
}
