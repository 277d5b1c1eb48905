namespace UsageBatch.Providers;

/// <summary>How a submission whose outcome is unknown (a timeout after the request left) is settled.</summary>
internal enum UnknownOutcomeResolution
{
    /// <summary>The provider takes a client-assigned usage id: the same request is simply sent again.</summary>
    SendSameIdAgain,

    /// <summary>No idempotency: list the provider's usages and match before any new request (never re-send blind).</summary>
    ListAndMatch,
}

/// <summary>Which of our dates reconcile compares a provider's usage by.</summary>
internal enum ReconcileDating
{
    /// <summary>The usage date we sent (the provider lists by it).</summary>
    UsageDate,

    /// <summary>When we sent it (the provider only has its own created_at).</summary>
    SentAt,
}

/// <summary>How reconcile asks the provider for its usages of a period.</summary>
internal enum ReconcileListing
{
    /// <summary>One list over the period.</summary>
    WholePeriod,

    /// <summary>No date filter and no list across customers: one list per (customer, item) our ledger confirmed, filtered here.</summary>
    PerCustomerAndItem,
}

/// <summary>
/// What a provider can and cannot do, as the core asks it (the core branches on these, never on a provider's name).
/// </summary>
/// <param name="UnknownOutcome">How an unknown outcome is settled.</param>
/// <param name="Dating">Which date reconcile compares by.</param>
/// <param name="Listing">How reconcile lists the provider's usages.</param>
/// <param name="InvoicesByTerm">Usage is invoiced at the end of a term, and a usage dated in a closed term is never invoiced.</param>
/// <param name="LifetimeUsageCap">The provider takes at most the account's usageCap usages per customer over its lifetime.</param>
/// <param name="ChargesByPayment">Usages are charged by payments that list them (reconcile shows each usage's payment and its status).</param>
internal sealed record ProviderCapabilities(
    UnknownOutcomeResolution UnknownOutcome,
    ReconcileDating Dating,
    ReconcileListing Listing,
    bool InvoicesByTerm,
    bool LifetimeUsageCap,
    bool ChargesByPayment = false);
