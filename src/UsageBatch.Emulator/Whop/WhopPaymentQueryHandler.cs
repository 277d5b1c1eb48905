using Microsoft.AspNetCore.Http;

namespace UsageBatch.Emulator.Whop;

/// <summary>GET list and retrieve of payments (v5's receipts), paged like the billing-usage list.</summary>
internal sealed class WhopPaymentQueryHandler(EmulatorState state)
{
    public ProviderResponse List(IQueryCollection query)
    {
        if (!WhopPaging.TryRead(query, out var page, out var per))
        {
            return WhopPaging.BadPaging();
        }

        string? inApp = query["in_app_payments"];
        if (!string.IsNullOrEmpty(inApp) && !bool.TryParse(inApp, out _))
        {
            return WhopMessage.Respond(400, "in_app_payments must be true or false");
        }

        // inferred (the provider's API docs [?]): in_app_payments=true keeps only payments made through the app.
        // Every payment here is the app charging its own billing usages, so it narrows nothing; it is still
        // checked so a malformed value is refused as the real API would.
        string? companyId = query["company_id"];
        string? productId = query["product_id"];

        lock (state.Gate)
        {
            // inferred (the provider's API docs [?]): order is undocumented; newest first, as billing usages.
            var matches = state.WhopPayments
                .Where(p => companyId is null || p.CompanyId == companyId)
                .Where(p => productId is null || p.ProductId == productId)
                .OrderByDescending(p => p.CreatedAt)
                .ThenByDescending(p => p.Sequence)
                .ToList();
            return WhopPaging.Respond(matches, page, per);
        }
    }

    public ProviderResponse Retrieve(string id)
    {
        lock (state.Gate)
        {
            var payment = state.WhopPayments.FirstOrDefault(p => p.Id == id);
            return payment is null ? WhopMessage.Respond(404, "Not found") : ProviderResponse.Json(200, payment);
        }
    }
}
