namespace UsageBatch.Providers;

/// <summary>
/// The one seam the billing run talks to a provider through (one implementation per provider).
/// Every call is paced by the account's rate limiter and honours cancellation.
/// </summary>
internal interface IUsageProvider
{
    /// <summary>
    /// Records one aggregate. Handles throttling (the whole account pauses), retries with backoff while the
    /// request provably was not sent, and for Chargebee re-POSTs the same usage id after an unknown outcome and
    /// turns <c>duplicate_entry</c> on our id into Confirmed (same data) or Conflict. Whop is never re-POSTed after
    /// an unknown outcome: the caller resolves it with <see cref="ResolveAsync"/>.
    /// <paramref name="cancellationToken"/> is a stop request: it ends the waits (rate-limit slot, lock-out, back-off)
    /// with a <see cref="OutcomeKind.Stopped"/> outcome, never a request already written, which finishes within the
    /// account's timeout so its outcome can be recorded.
    /// </summary>
    Task<ProviderOutcome> SubmitAsync(ProviderSubmission submission, CancellationToken cancellationToken);

    /// <summary>
    /// Finds out whether an earlier attempt of <paramref name="submission"/> made at <paramref name="attemptedAt"/>
    /// exists at the provider. Chargebee: retrieve by our id. Whop: list the customer's usages of the item (all pages)
    /// created at or after the attempt minus the clock skew, with the same value, skipping <paramref name="ownedUsageIds"/>.
    /// Returns Confirmed, NotFound, Ambiguous (several candidates), Conflict, or Unknown/Fatal when the look-up failed.
    /// </summary>
    Task<ProviderOutcome> ResolveAsync(
        ProviderSubmission submission,
        DateTimeOffset attemptedAt,
        IReadOnlySet<string> ownedUsageIds,
        CancellationToken cancellationToken);

    /// <summary>
    /// Before a never-sent submission goes out: where its usage date stands against the customer's terms and invoices
    /// (one read of the subscription per run, and of its invoices when the date is before the current term). Providers
    /// that do not invoice by term answer <see cref="TermCheck.Current"/>.
    /// </summary>
    Task<TermCheck> CheckTermAsync(ProviderSubmission submission, CancellationToken cancellationToken) => Task.FromResult(TermCheck.Current);

    /// <summary>One invoice with its metered lines (term-invoicing providers; others answer null). Null when it does not exist.</summary>
    Task<ProviderInvoice?> GetInvoiceAsync(string invoiceId, CancellationToken cancellationToken) => Task.FromResult<ProviderInvoice?>(null);

    /// <summary>Every payment the provider holds for the account (providers whose usages are charged by payments; others: none).</summary>
    IAsyncEnumerable<ProviderPayment> ListPaymentsAsync(CancellationToken cancellationToken) => AsyncEnumerable.Empty<ProviderPayment>();

    /// <summary>Every provider usage in the range (all pages), for reconciliation.</summary>
    IAsyncEnumerable<ProviderUsage> ListAsync(UsageListQuery query, CancellationToken cancellationToken);
}
