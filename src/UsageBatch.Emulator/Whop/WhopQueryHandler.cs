using Microsoft.AspNetCore.Http;

namespace UsageBatch.Emulator.Whop;

/// <summary>GET list and retrieve of billing usages.</summary>
internal sealed class WhopQueryHandler(EmulatorState state)
{
    public ProviderResponse List(IQueryCollection query)
    {
        if (!WhopPaging.TryRead(query, out var page, out var per))
        {
            return WhopPaging.BadPaging();
        }

        string? companyId = query["company_id"];
        string? membershipId = query["membership_id"];
        string? itemId = query["billing_item_id"];
        string? identifier = query["billing_item_identifier"];
        string? productId = query["product_id"];

        lock (state.Gate)
        {
            // inferred (the provider's API docs [?]): order is undocumented; newest first.
            var matches = state.WhopUsages
                .Where(u => companyId is null || u.CompanyId == companyId)
                .Where(u => membershipId is null || u.MembershipId == membershipId)
                .Where(u => itemId is null || u.BillingItemId == itemId)
                .Where(u => identifier is null || u.BillingItemIdentifier == identifier)
                .Where(u => productId is null || u.ProductId == productId)
                .OrderByDescending(u => u.CreatedAt)
                .ThenByDescending(u => u.Sequence)
                .ToList();
            return WhopPaging.Respond(matches, page, per);
        }
    }

    public ProviderResponse Retrieve(string id)
    {
        lock (state.Gate)
        {
            var usage = state.WhopUsages.FirstOrDefault(u => u.Id == id);
            return usage is null ? WhopMessage.Respond(404, "Not found") : ProviderResponse.Json(200, usage);
        }
    }
}
