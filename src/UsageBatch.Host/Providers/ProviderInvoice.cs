namespace UsageBatch.Providers;

/// <summary>An invoice as a term-invoicing provider holds it: its status and its metered lines (what reconcile ties usage to).</summary>
internal sealed record ProviderInvoice(string Id, string Status, DateTimeOffset? Date, IReadOnlyList<ProviderInvoiceLine> Lines)
{
    /// <summary>Closed for good: it takes no more usage (the provider's API docs: posted, paid, payment_due, not_paid).</summary>
    public bool IsClosed => Status is "posted" or "paid" or "payment_due" or "not_paid";
}

/// <summary>One metered line: the item it bills, over which term, and the quantity it bills.</summary>
internal sealed record ProviderInvoiceLine(string Id, string ItemId, decimal Quantity, DateTimeOffset DateFrom, DateTimeOffset DateTo);
