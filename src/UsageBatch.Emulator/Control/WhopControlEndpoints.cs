using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using UsageBatch.Emulator.Whop;
using static UsageBatch.Emulator.Control.ControlEndpoints;

namespace UsageBatch.Emulator.Control;

/// <summary>/_emulator/whop/*: what Whop does on its own side (charging a customer), which no v5 call can cause.</summary>
internal static class WhopControlEndpoints
{
    public static void MapWhopControl(this IEndpointRouteBuilder routes, string prefix, EmulatorState state)
    {
        routes.MapPost(prefix + "/whop/charge", ChargeAsync(state));
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
}
