using UsageBatch.Usage;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using RestSharp;
using UsageBatch.Configuration;
using UsageBatch.Providers.Http;

namespace UsageBatch.Providers.Chargebee;

/// <summary>Builds Chargebee v2 usage requests (form-encoded, the provider's API docs).</summary>
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
        var request = new RestRequest("subscriptions/{subscription}/usages", Method.Post)
            .AddUrlSegment("subscription", submission.Target.CustomerId);
        var form = Form(submission);
        foreach (var (name, value) in form)
        {
            request.AddParameter(name, value);
        }

        request.AddHeader("chargebee-idempotency-key", IdempotencyKey(form));
        AddAccountHeaders(request, options);
        return request;
    }

    /// <summary>The create form, in a fixed order (the idempotency key is derived from it).</summary>
    public static IReadOnlyList<(string Name, string Value)> Form(ProviderSubmission submission)
    {
        ArgumentNullException.ThrowIfNull(submission);
        var form = new List<(string, string)>
        {
            ("id", submission.UsageId ?? throw new ArgumentException("a Chargebee submission needs its usage id", nameof(submission))),
            ("item_price_id", submission.Target.ItemId),
            ("quantity", DecimalText.Format(submission.Total)),
            ("usage_date", UnixSeconds(submission).ToString(CultureInfo.InvariantCulture)),
        };
        if (!string.IsNullOrEmpty(submission.Note))
        {
            form.Add(("note", submission.Note.Length > MaxNote ? submission.Note[..MaxNote] : submission.Note));
        }

        return form;
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

        if (query.InvoiceId is not null)
        {
            request.AddQueryParameter("invoice_id[is]", query.InvoiceId);
        }

        if (offset is not null)
        {
            request.AddQueryParameter("offset", offset);
        }

        AddAccountHeaders(request, options);
        return request;
    }

    /// <summary><c>GET /invoices/{id}</c>: one invoice with its lines.</summary>
    public static RestRequest Invoice(string invoiceId, ProviderAccountOptions options)
    {
        var request = new RestRequest("invoices/{invoice}").AddUrlSegment("invoice", invoiceId);
        AddAccountHeaders(request, options);
        return request;
    }

    /// <summary><c>GET /subscriptions/{id}</c>: the subscription's status and terms (the provider's API docs).</summary>
    public static RestRequest Subscription(string subscriptionId, ProviderAccountOptions options)
    {
        var request = new RestRequest("subscriptions/{subscription}").AddUrlSegment("subscription", subscriptionId);
        AddAccountHeaders(request, options);
        return request;
    }

    /// <summary>
    /// <c>GET /invoices</c>: the subscription's recurring invoices dated after <paramref name="after"/>, oldest first. The
    /// renewal invoice of a term is dated at the term's end, so the first one is the invoice of the term holding that date.
    /// </summary>
    public static RestRequest RecurringInvoices(string subscriptionId, DateTimeOffset after, string? offset, ProviderAccountOptions options)
    {
        var request = new RestRequest("invoices")
            .AddQueryParameter("limit", PageSize.ToString(CultureInfo.InvariantCulture))
            .AddQueryParameter("subscription_id[is]", subscriptionId)
            .AddQueryParameter("recurring[is]", "true")
            .AddQueryParameter("date[after]", after.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture))
            .AddQueryParameter("sort_by[asc]", "date");
        if (offset is not null)
        {
            request.AddQueryParameter("offset", offset);
        }

        AddAccountHeaders(request, options);
        return request;
    }

    /// <summary>
    /// Deterministic per request content: the usage id and usage_date, plus the other fields. Our own re-POSTs after
    /// an unknown outcome are byte-identical, so they replay within Chargebee's 30-minute window; a re-POST with a
    /// moved date (after a clash) or from a later run (its trace note differs) is a different request and gets a
    /// different key, so it is neither answered with a stale stored response nor refused as a key reused for other
    /// parameters (undocumented, the provider's API docs [?]; the emulator refuses it). Those reach our id instead:
    /// duplicate_entry, then a retrieve decides. Hashed to stay under the 100-character limit.
    /// </summary>
    public static string IdempotencyKey(IReadOnlyList<(string Name, string Value)> form)
    {
        ArgumentNullException.ThrowIfNull(form);
        var text = string.Join("\n", form.Select(f => $"{f.Name}={f.Value}"));
        return "ub-" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));
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
