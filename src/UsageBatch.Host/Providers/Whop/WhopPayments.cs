using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text.Json;
using RestSharp;
using UsageBatch.Configuration;
using UsageBatch.Providers.Http;
using UsageBatch.Providers.Pacing;

namespace UsageBatch.Providers.Whop;

/// <summary>
/// <c>GET /app/payments</c> (every page, newest first, at most 50 a page: the provider's API docs). A billing usage's
/// receipt is a payment, and the safe tie-out is usage → the payment whose <c>billing_usage_ids</c> holds it.
/// </summary>
internal sealed class WhopPayments(ProviderCaller caller, ProviderAccountOptions options)
{
    private const int PageSize = 50;
    private const int MaxPages = 100_000;

    public async IAsyncEnumerable<ProviderPayment> ListAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        for (var page = 1; page <= MaxPages; page++)
        {
            var current = page;
            var call = await caller.SendAsync(() => new RestRequest("app/payments")
                .AddQueryParameter("page", current.ToString(CultureInfo.InvariantCulture))
                .AddQueryParameter("per", PageSize.ToString(CultureInfo.InvariantCulture)), null, options.MaxAttempts, cancellationToken);
            if (call.Failure is not null)
            {
                throw new ProviderListException(call.Failure);
            }

            var (payments, hasNext) = Parse(call.Reply.Body, page)
                ?? throw new ProviderListException(ProviderOutcome.Unknown($"HTTP {call.Reply.Status}: the payment list could not be read", call.Reply.Status));
            foreach (var payment in payments)
            {
                yield return payment;
            }

            if (!hasNext)
            {
                yield break;
            }
        }
    }

    private static (IReadOnlyList<ProviderPayment> Payments, bool HasNext)? Parse(string? body, int page)
    {
        using var doc = JsonRead.TryParseObject(body);
        if (doc is null || !doc.RootElement.TryGetProperty("data", out var data) || data.ValueKind != JsonValueKind.Array)
        {
            return null;
        }

        var payments = new List<ProviderPayment>();
        foreach (var item in data.EnumerateArray())
        {
            if (JsonRead.String(item, "id") is not { Length: > 0 } id)
            {
                continue;
            }

            var usageIds = item.TryGetProperty("billing_usage_ids", out var ids) && ids.ValueKind == JsonValueKind.Array
                ? ids.EnumerateArray().Where(i => i.ValueKind == JsonValueKind.String).Select(i => i.GetString()!).ToList()
                : [];
            payments.Add(new ProviderPayment(id, JsonRead.String(item, "status") ?? "", usageIds, JsonRead.Decimal(item, "final_amount"),
                JsonRead.Decimal(item, "refunded_amount"), JsonRead.String(item, "currency"), JsonRead.UnixSeconds(item, "paid_at"), JsonRead.UnixSeconds(item, "refunded_at")));
        }

        return (payments, WhopJson.HasNext(doc.RootElement, page, payments.Count));
    }
}
