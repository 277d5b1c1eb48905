using System.Globalization;

namespace UsageBatch.Reports;

/// <summary>One kind of finding in a reconcile report: how many, and their values per value kind and unit.</summary>
internal sealed record ReconcileKindSummary(string Kind, int Count, IReadOnlyList<(string ValueKind, string Unit, decimal Total)> Values);

/// <summary>
/// The reconcile report by kind, in <see cref="ReconcileKinds.ReadingOrder"/>: the table at the top of the page and
/// the line `reconcile` prints. Built from the report alone, so a re-rendered page says the same.
/// </summary>
internal static class ReconcileSummary
{
    public static IReadOnlyList<ReconcileKindSummary> ByKind(ReconcileReport report) =>
        report.Findings.GroupBy(f => f.Kind, StringComparer.Ordinal)
            .OrderBy(g => ReconcileKinds.Rank(g.Key)).ThenBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => new ReconcileKindSummary(g.Key, g.Count(), g
                .Where(f => Value(f) is not null)
                .GroupBy(f => (f.ValueKind, Unit: ReportNumber.Unit(f.ValueKind, report.Currency)))
                .OrderBy(v => v.Key.ValueKind, StringComparer.Ordinal)
                .Select(v => (v.Key.ValueKind, v.Key.Unit, v.Sum(f => Value(f)!.Value)))
                .ToList()))
            .ToList();

    /// <summary>
    /// What a finding is worth to finance: what we billed and the provider lacks, what the provider holds that we did
    /// not send, the provider's value minus ours for a mismatch, what was invoiced for a receipt.
    /// </summary>
    public static decimal? Value(ReconcileFinding finding) => finding.Kind switch
    {
        ReconcileKinds.MissingAtProvider => finding.OurValue,
        ReconcileKinds.ValueMismatch => finding.ProviderValue - finding.OurValue,
        ReconcileKinds.ReceiptAssigned or ReconcileKinds.Invoiced => finding.OurValue ?? finding.ProviderValue,
        ReconcileKinds.NeverInvoiced or ReconcileKinds.InvoiceVoided or ReconcileKinds.PaymentFailed or ReconcileKinds.PaymentRefunded => finding.OurValue ?? finding.ProviderValue,
        ReconcileKinds.LineQuantityMismatch => finding.ProviderValue - finding.OurValue,
        _ => finding.ProviderValue ?? finding.OurValue,
    };

    /// <summary>"3 units, 12.50 USD": a kind's values, never adding money to units.</summary>
    public static string Values(ReconcileKindSummary summary) =>
        string.Join(", ", summary.Values.Select(v => $"{ReportNumber.Display(v.Total, v.ValueKind, v.Unit)} {v.Unit}"));

    /// <summary>
    /// The one line `reconcile` prints after the file paths, naming every kind found with its count:
    /// <c>job: 3 ledger submissions, 3 provider usages; 2 differences: 1 missing_at_provider, 1 not_in_ledger; 1 receipt_assigned</c>.
    /// </summary>
    public static string Line(ReconcileReport report)
    {
        var kinds = ByKind(report);
        var differences = kinds.Where(k => ReconcileKinds.IsDifference(k.Kind)).ToList();
        var receipts = kinds.Where(k => !ReconcileKinds.IsDifference(k.Kind)).ToList();
        var line = $"{report.Job}: {ReportSummaryText.Count(report.LedgerSubmissions, "ledger submission")}, {ReportSummaryText.Count(report.ProviderUsages, "provider usage")}; ";
        line += differences.Count == 0
            ? "no differences"
            : $"{ReportSummaryText.Count(report.Differences, "difference")}: {string.Join(", ", differences.Select(Named))}";
        line += receipts.Count == 0 ? "; no receipts to write" : "; " + string.Join(", ", receipts.Select(Named));
        return line;
    }

    private static string Named(ReconcileKindSummary summary) => summary.Count.ToString("N0", CultureInfo.InvariantCulture) + " " + summary.Kind;
}
