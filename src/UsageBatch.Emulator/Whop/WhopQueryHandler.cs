using System.Globalization;
using Microsoft.AspNetCore.Http;

namespace UsageBatch.Emulator.Whop;

/// <summary>GET list and retrieve of billing usages.</summary>
internal sealed class WhopQueryHandler(EmulatorState state)
{
    private const int DefaultPer = 10;

    // inferred (the provider's API docs): the docs say "max 50"; a larger per is clamped rather than refused.
    private const int MaxPer = 50;

    public ProviderResponse List(IQueryCollection query)
    {
        if (!TryPositiveInt(query, "page", 1, out var page) || !TryPositiveInt(query, "per", DefaultPer, out var per))
        {
            return WhopMessage.Respond(400, "page and per must be positive integers");
        }

        per = Math.Min(per, MaxPer);
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

            var totalPages = (matches.Count + per - 1) / per;
            var data = matches.Skip((int)Math.Min(int.MaxValue, (long)(page - 1) * per)).Take(per).ToList();
            var pagination = new WhopPagination(
                CurrentPage: page,
                TotalPages: totalPages,
                NextPage: page < totalPages ? page + 1 : null,
                PrevPage: page > 1 ? page - 1 : null,
                TotalCount: matches.Count);
            return ProviderResponse.Json(200, new WhopPage(pagination, data));
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

    private static bool TryPositiveInt(IQueryCollection query, string name, int fallback, out int value)
    {
        string? text = query[name];
        if (string.IsNullOrEmpty(text))
        {
            value = fallback;
            return true;
        }

        return int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out value) && value > 0;
    }
}
