using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
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
    /// Simulates Whop charging a customer: one receipt for all its usages without one. Takes membershipId, or
    /// companyId for usages recorded against a company directly (those have no membership to charge).
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
                var receiptId = Ids.New("rec_");
                var usages = state.WhopUsages
                    .Where(u => u.ReceiptId is null)
                    .Where(u => membershipId is not null ? u.MembershipId == membershipId : u.MembershipId is null && u.CompanyId == companyId)
                    .ToList();
                usages.ForEach(u => u.ReceiptId = receiptId);
                result = new JsonObject
                {
                    ["receipt_id"] = receiptId,
                    ["usages"] = JsonSerializer.SerializeToNode(usages, EmulatorJson.Provider),
                };
            }
        }

        await WriteResultAsync(context, result, "Unknown membershipId or companyId");
    };
}
