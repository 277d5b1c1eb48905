namespace UsageBatch.Reports;

/// <summary>The outcome of `usagebatch reconcile` for one job and period [From, To), UTC.</summary>
internal sealed record ReconcileReport(
    int FormatVersion,
    string Job,
    string ProviderAccount,
    string Provider,
    DateTimeOffset From,
    DateTimeOffset To,
    DateTimeOffset ReconciledAt,
    string? Currency,
    int LedgerSubmissions,
    int ProviderUsages,
    IReadOnlyList<ReconcileFinding> Findings,
    [property: System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    IReadOnlyList<InvoiceView>? Invoices = null,
    [property: System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    IReadOnlyList<PaymentView>? Payments = null)
{
    public int Differences => Findings.Count(f => ReconcileKinds.IsDifference(f.Kind));

    public bool Clean => Differences == 0;
}
