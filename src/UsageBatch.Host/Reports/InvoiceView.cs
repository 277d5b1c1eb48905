namespace UsageBatch.Reports;

/// <summary>What one invoice billed, line by line, and from which of our submissions (the reconcile page's per-invoice view).</summary>
internal sealed record InvoiceView(string InvoiceId, string Status, IReadOnlyList<InvoiceLineView> Lines);

/// <param name="LineQuantity">What the line bills.</param>
/// <param name="UsageTotal">The quantities of every usage on the line, ours and foreign.</param>
/// <param name="OurSubmissions">Our ledger's submissions whose usages are on the line.</param>
/// <param name="OurRows">The usage rows those submissions cover.</param>
internal sealed record InvoiceLineView(string LineId, string ItemId, DateTimeOffset DateFrom, DateTimeOffset DateTo, decimal LineQuantity, decimal UsageTotal,
    int Usages, int ForeignUsages, IReadOnlyList<long> OurSubmissions, int OurRows);
