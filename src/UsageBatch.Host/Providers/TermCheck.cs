namespace UsageBatch.Providers;

/// <summary>Where a usage date stands against a provider that invoices usage by term (checked before anything is sent).</summary>
internal enum TermStanding
{
    /// <summary>In the subscription's current term (or a provider without terms): invoiced at the term's end.</summary>
    CurrentTerm,

    /// <summary>In an ended term whose invoice is still pending: the usage still lands on it.</summary>
    PendingInvoice,

    /// <summary>In an ended term whose invoice is closed or voided: the provider would store it and never invoice it.</summary>
    Late,

    /// <summary>Dated when the subscription was not active: the provider would store it and never bill it.</summary>
    Inactive,
}

/// <summary>
/// The provider's answer about one usage date: its standing, in words finance can act on (<see cref="Detail"/> names
/// the term, the invoice and its status, or the subscription's status), and the current term a late usage may be
/// re-dated into. <see cref="Failure"/> is set instead when the provider could not be asked (classified like any answer).
/// </summary>
internal sealed record TermCheck(
    TermStanding Standing,
    string Detail,
    string? InvoiceId = null,
    DateTimeOffset? CurrentTermStart = null,
    DateTimeOffset? CurrentTermEnd = null,
    ProviderOutcome? Failure = null,
    string? InvoiceStatus = null)
{
    /// <summary>A provider without terms, or a date in the current one.</summary>
    public static readonly TermCheck Current = new(TermStanding.CurrentTerm, "in the current term");

    public static TermCheck Failed(ProviderOutcome failure) => new(TermStanding.CurrentTerm, failure.Message, Failure: failure);
}
