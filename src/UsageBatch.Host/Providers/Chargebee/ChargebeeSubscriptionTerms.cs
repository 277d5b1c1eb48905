using System.Text.Json;
using UsageBatch.Providers.Http;

namespace UsageBatch.Providers.Chargebee;

/// <summary>What <c>GET /subscriptions/{id}</c> says about when usage is billed (the provider's API docs, part of the subscription resource).</summary>
internal sealed record ChargebeeSubscriptionTerms(
    string Id,
    string Status,
    DateTimeOffset? CurrentTermStart,
    DateTimeOffset? CurrentTermEnd,
    DateTimeOffset? ActivatedAt,
    DateTimeOffset? CancelledAt,
    DateTimeOffset? PauseDate,
    DateTimeOffset? ResumeDate,
    DateTimeOffset? TrialEnd)
{
    public static ChargebeeSubscriptionTerms? FromBody(string? body)
    {
        using var doc = JsonRead.TryParseObject(body);
        if (doc is null || !doc.RootElement.TryGetProperty("subscription", out var s) || s.ValueKind != JsonValueKind.Object
            || JsonRead.String(s, "id") is not { Length: > 0 } id)
        {
            return null;
        }

        return new ChargebeeSubscriptionTerms(
            id, JsonRead.String(s, "status") ?? "",
            JsonRead.UnixSeconds(s, "current_term_start"), JsonRead.UnixSeconds(s, "current_term_end"),
            JsonRead.UnixSeconds(s, "activated_at") ?? JsonRead.UnixSeconds(s, "started_at"), JsonRead.UnixSeconds(s, "cancelled_at"),
            JsonRead.UnixSeconds(s, "pause_date"), JsonRead.UnixSeconds(s, "resume_date"), JsonRead.UnixSeconds(s, "trial_end"));
    }

    /// <summary>
    /// Why a usage dated <paramref name="date"/> would not be billed because of the subscription's status at that
    /// date ("Usages are billed only if usage_date falls while the status was active/non_renewing", the provider's
    /// API docs), or null when it was active then.
    /// </summary>
    public string? InactiveAt(DateTimeOffset date)
    {
        if (Status == "future" || ActivatedAt is { } activated && date < activated)
        {
            return ActivatedAt is { } a ? $"before the subscription was activated ({Usage.UtcText.Format(a)})" : "before the subscription started (status future)";
        }

        if (Status == "in_trial" && (TrialEnd is not { } trialEnd || date < trialEnd))
        {
            return $"while the subscription was in trial{(TrialEnd is { } t ? $" (until {Usage.UtcText.Format(t)})" : "")}";
        }

        if (CancelledAt is { } cancelled && date >= cancelled)
        {
            return $"after the subscription was cancelled ({Usage.UtcText.Format(cancelled)})";
        }

        if (PauseDate is { } paused && date >= paused && (ResumeDate is not { } resumed || date < resumed))
        {
            return $"while the subscription was paused (from {Usage.UtcText.Format(paused)})";
        }

        return Status is "cancelled" or "paused" or "transferred" && CancelledAt is null && PauseDate is null
            ? $"while the subscription is {Status}"
            : null;
    }
}

/// <summary>A recurring invoice as <c>GET /invoices</c> lists it: enough to tell which term it closed and whether it still takes usage.</summary>
internal sealed record ChargebeeTermInvoice(string Id, string Status, DateTimeOffset Date, DateTimeOffset? TermStart)
{
    /// <summary>Still takes usage of its term: pending (created with create_pending_invoices, not yet closed).</summary>
    public bool IsPending => Status == "pending";

    public static (IReadOnlyList<ChargebeeTermInvoice> Invoices, string? NextOffset)? ListFromBody(string? body)
    {
        using var doc = JsonRead.TryParseObject(body);
        if (doc is null || !doc.RootElement.TryGetProperty("list", out var list) || list.ValueKind != JsonValueKind.Array)
        {
            return null;
        }

        var invoices = new List<ChargebeeTermInvoice>();
        foreach (var entry in list.EnumerateArray())
        {
            if (entry.ValueKind == JsonValueKind.Object && entry.TryGetProperty("invoice", out var invoice)
                && JsonRead.String(invoice, "id") is { Length: > 0 } id && JsonRead.UnixSeconds(invoice, "date") is { } date)
            {
                // A metered line's date_from is the ended term's start (the provider's API docs); an invoice without lines has none.
                DateTimeOffset? from = null;
                if (invoice.TryGetProperty("line_items", out var lines) && lines.ValueKind == JsonValueKind.Array)
                {
                    from = lines.EnumerateArray().Select(l => JsonRead.UnixSeconds(l, "date_from")).Where(d => d is not null).Min();
                }

                invoices.Add(new ChargebeeTermInvoice(id, JsonRead.String(invoice, "status") ?? "", date, from));
            }
        }

        return (invoices, JsonRead.String(doc.RootElement, "next_offset"));
    }
}
