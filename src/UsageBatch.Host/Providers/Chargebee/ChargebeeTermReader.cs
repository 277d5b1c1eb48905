using System.Collections.Concurrent;
using UsageBatch.Configuration;
using UsageBatch.Providers.Pacing;
using UsageBatch.Usage;

namespace UsageBatch.Providers.Chargebee;

/// <summary>
/// Where a usage date stands before it is sent (the provider's API docs: usage is invoiced at the end of each term; a
/// usage dated in a term whose invoice is closed, or when the subscription was not active, is stored and never
/// billed). The subscription is read once per run (this client lives for one run); the recurring invoices of a
/// subscription once, from the earliest date asked about. Every read goes through the account's pacing and retries.
/// </summary>
internal sealed class ChargebeeTermReader(ProviderCaller caller, ProviderAccountOptions options)
{
    private const int MaxPages = 1_000;

    private readonly ConcurrentDictionary<string, Lazy<Task<(ChargebeeSubscriptionTerms? Terms, ProviderOutcome? Failure)>>> _subscriptions = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, (DateTimeOffset From, IReadOnlyList<ChargebeeTermInvoice> Invoices)> _invoices = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _invoiceReads = new(1, 1);

    public async Task<TermCheck> CheckAsync(ProviderSubmission submission, CancellationToken cancellationToken)
    {
        var date = submission.UsageDate ?? throw new ArgumentException("a Chargebee submission needs its usage date", nameof(submission));
        var subscriptionId = submission.Target.CustomerId;
        var (terms, failure) = await _subscriptions.GetOrAdd(subscriptionId,
            id => new Lazy<Task<(ChargebeeSubscriptionTerms?, ProviderOutcome?)>>(() => ReadSubscriptionAsync(id, cancellationToken))).Value;
        if (failure is not null)
        {
            _subscriptions.TryRemove(subscriptionId, out _); // a failed read is asked again by the next submission
            return TermCheck.Failed(failure);
        }

        if (terms is null)
        {
            // Unknown to Chargebee: the create answers 404 and rejects the group with the provider's own words.
            return TermCheck.Current with { Detail = $"subscription {subscriptionId} was not found; the create decides" };
        }

        if (terms.InactiveAt(date) is { } inactive)
        {
            return new TermCheck(TermStanding.Inactive,
                $"usage_date {UtcText.Format(date)} is {inactive}: Chargebee bills usage only while a subscription is active or non_renewing",
                CurrentTermStart: terms.CurrentTermStart, CurrentTermEnd: terms.CurrentTermEnd);
        }

        if (terms.CurrentTermStart is not { } currentStart || date >= currentStart)
        {
            return new TermCheck(TermStanding.CurrentTerm, CurrentTermText(terms), CurrentTermStart: terms.CurrentTermStart, CurrentTermEnd: terms.CurrentTermEnd);
        }

        var (invoices, invoiceFailure) = await InvoicesAfterAsync(subscriptionId, date, cancellationToken);
        if (invoiceFailure is not null)
        {
            return TermCheck.Failed(invoiceFailure);
        }

        var invoice = invoices.FirstOrDefault(i => i.Date > date);
        if (invoice is null)
        {
            return new TermCheck(TermStanding.Late,
                $"usage_date {UtcText.Format(date)} is before the current term ({CurrentTermText(terms)}) and no invoice of its term was found",
                CurrentTermStart: terms.CurrentTermStart, CurrentTermEnd: terms.CurrentTermEnd);
        }

        var previous = invoices.LastOrDefault(i => i.Date <= date);
        var termStart = invoice.TermStart ?? previous?.Date;
        var term = termStart is { } s ? $"the term {UtcText.Format(s)} – {UtcText.Format(invoice.Date)}" : $"the term ending {UtcText.Format(invoice.Date)}";
        return invoice.IsPending
            ? new TermCheck(TermStanding.PendingInvoice, $"usage_date {UtcText.Format(date)} is in {term}, whose invoice {invoice.Id} is still pending: it lands on that invoice",
                invoice.Id, terms.CurrentTermStart, terms.CurrentTermEnd, InvoiceStatus: invoice.Status)
            : new TermCheck(TermStanding.Late, $"usage_date {UtcText.Format(date)} is in {term}, whose invoice {invoice.Id} is {invoice.Status}: Chargebee would store the usage and never invoice it",
                invoice.Id, terms.CurrentTermStart, terms.CurrentTermEnd, InvoiceStatus: invoice.Status);
    }

    private static string CurrentTermText(ChargebeeSubscriptionTerms terms) =>
        terms.CurrentTermStart is { } start
            ? $"current term {UtcText.Format(start)} – {(terms.CurrentTermEnd is { } end ? UtcText.Format(end) : "open")}"
            : "the subscription has no term";

    private async Task<(ChargebeeSubscriptionTerms?, ProviderOutcome?)> ReadSubscriptionAsync(string subscriptionId, CancellationToken cancellationToken)
    {
        var call = await caller.SendAsync(() => ChargebeeRequests.Subscription(subscriptionId, options), null, options.MaxAttempts, cancellationToken);
        if (call.Failure is { Kind: OutcomeKind.Permanent, HttpStatus: 404 })
        {
            return (null, null);
        }

        if (call.Failure is not null)
        {
            return (null, call.Failure);
        }

        return ChargebeeSubscriptionTerms.FromBody(call.Reply.Body) is { } terms
            ? (terms, null)
            : (null, ProviderOutcome.Unknown($"HTTP {call.Reply.Status}: subscription {subscriptionId} could not be read", call.Reply.Status));
    }

    /// <summary>The subscription's recurring invoices dated after <paramref name="date"/> (every page), read once per subscription and reused for later dates.</summary>
    private async Task<(IReadOnlyList<ChargebeeTermInvoice>, ProviderOutcome?)> InvoicesAfterAsync(string subscriptionId, DateTimeOffset date, CancellationToken cancellationToken)
    {
        await _invoiceReads.WaitAsync(cancellationToken);
        try
        {
            if (_invoices.TryGetValue(subscriptionId, out var known) && known.From <= date)
            {
                return (known.Invoices, null);
            }

            // From a day earlier than asked: the invoice before the date (the term's start) comes along for the message.
            var from = date.AddDays(-1);
            var all = new List<ChargebeeTermInvoice>();
            string? offset = null;
            for (var page = 0; page < MaxPages; page++)
            {
                var call = await caller.SendAsync(() => ChargebeeRequests.RecurringInvoices(subscriptionId, from, offset, options), null, options.MaxAttempts, cancellationToken);
                if (call.Failure is not null)
                {
                    return ([], call.Failure);
                }

                if (ChargebeeTermInvoice.ListFromBody(call.Reply.Body) is not { } parsed)
                {
                    return ([], ProviderOutcome.Unknown($"HTTP {call.Reply.Status}: the invoices of subscription {subscriptionId} could not be read", call.Reply.Status));
                }

                all.AddRange(parsed.Invoices);
                if (string.IsNullOrEmpty(parsed.NextOffset))
                {
                    break;
                }

                offset = parsed.NextOffset;
            }

            var sorted = all.OrderBy(i => i.Date).ToList();
            _invoices[subscriptionId] = (from, sorted);
            return (sorted, null);
        }
        finally
        {
            _invoiceReads.Release();
        }
    }
}
