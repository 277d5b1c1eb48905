using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using RestSharp;
using UsageBatch.Configuration;
using UsageBatch.Providers.Http;

namespace UsageBatch.Providers.Chargebee;

/// <summary>Builds Chargebee v2 usage requests (form-encoded, providers.md 2.3).</summary>
internal static class ChargebeeRequests
{
    internal const int MaxNote = 500;

    /// <summary>Chargebee's maximum page size for list operations.</summary>
    internal const int PageSize = 100;

    private static readonly Dictionary<string, string> SuppressHeaders = new(StringComparer.OrdinalIgnoreCase)
    {
        ["webhooks"] = "chargebee-event-webhook",
        ["emails"] = "chargebee-event-email",
        ["actions"] = "chargebee-event-actions",
    };

    public static RestRequest Create(ProviderSubmission submission, ProviderAccountOptions options)
    {
        ArgumentNullException.ThrowIfNull(submission);
        ArgumentNullException.ThrowIfNull(options);
        var usageDate = UnixSeconds(submission);
        var request = new RestRequest("subscriptions/{subscription}/usages", Method.Post)
            .AddUrlSegment("subscription", submission.Target.CustomerId)
            .AddParameter("id", submission.UsageId)
            .AddParameter("item_price_id", submission.Target.ItemId)
            .AddParameter("quantity", DecimalText.Format(submission.Total))
            .AddParameter("usage_date", usageDate.ToString(CultureInfo.InvariantCulture));
        if (!string.IsNullOrEmpty(submission.Note))
        {
            request.AddParameter("note", submission.Note.Length > MaxNote ? submission.Note[..MaxNote] : submission.Note);
        }

        request.AddHeader("chargebee-idempotency-key", IdempotencyKey(submission.UsageId!, usageDate));
        AddAccountHeaders(request, options);
        return request;
    }

    public static RestRequest Retrieve(string subscriptionId, string usageId, ProviderAccountOptions options)
    {
        var request = new RestRequest("subscriptions/{subscription}/usages")
            .AddUrlSegment("subscription", subscriptionId)
            .AddQueryParameter("id", usageId);
        AddAccountHeaders(request, options);
        return request;
    }

    public static RestRequest List(UsageListQuery query, string? offset, ProviderAccountOptions options)
    {
        ArgumentNullException.ThrowIfNull(query);
        // usage_date is whole seconds: [From, To) is [ceil(From), ceil(To) - 1]; Chargebee wants 10-digit timestamps.
        var from = CeilingSeconds(query.From);
        var to = CeilingSeconds(query.To) - 1;
        var request = new RestRequest("usages")
            .AddQueryParameter("limit", PageSize.ToString(CultureInfo.InvariantCulture))
            .AddQueryParameter("usage_date[between]", string.Create(CultureInfo.InvariantCulture, $"[{from},{to}]"));
        if (query.CustomerId is not null)
        {
            request.AddQueryParameter("subscription_id[is]", query.CustomerId);
        }

        if (query.ItemId is not null)
        {
            request.AddQueryParameter("item_price_id[is]", query.ItemId);
        }

        if (offset is not null)
        {
            request.AddQueryParameter("offset", offset);
        }

        AddAccountHeaders(request, options);
        return request;
    }

    /// <summary>
    /// Deterministic per (usage id, usage_date): a re-POST after an unknown outcome replays within Chargebee's
    /// 30-minute window, while a re-POST with a moved date (after a clash) is a new request and is not answered
    /// with the stored clash. Hashed so it stays under the 100-character limit whatever the id's length.
    /// </summary>
    public static string IdempotencyKey(string usageId, long usageDate)
    {
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes(string.Create(CultureInfo.InvariantCulture, $"{usageId}|{usageDate}")));
        return "ub-" + Convert.ToHexStringLower(hash);
    }

    public static long UnixSeconds(ProviderSubmission submission) =>
        (submission.UsageDate ?? throw new ArgumentException("a Chargebee submission needs a usage date", nameof(submission))).ToUnixTimeSeconds();

    private static void AddAccountHeaders(RestRequest request, ProviderAccountOptions options)
    {
        if (!string.IsNullOrEmpty(options.BusinessEntityId))
        {
            request.AddHeader("chargebee-business-entity-id", options.BusinessEntityId);
        }

        foreach (var what in options.Suppress)
        {
            if (SuppressHeaders.TryGetValue(what, out var header))
            {
                request.AddHeader(header, "all-disabled");
            }
        }
    }

    private static long CeilingSeconds(DateTimeOffset instant)
    {
        var seconds = instant.ToUnixTimeSeconds();
        return DateTimeOffset.FromUnixTimeSeconds(seconds) < instant ? seconds + 1 : seconds;
    }
}
