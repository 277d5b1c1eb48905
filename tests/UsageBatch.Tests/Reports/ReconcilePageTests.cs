using System.Text.RegularExpressions;
using UsageBatch.Reports;

namespace UsageBatch.Tests.Reports;

/// <summary>The reconcile page and stdout line as finance reads them: summary first, receipts counted, differences on top.</summary>
public sealed class ReconcilePageTests
{
    private static readonly DateTimeOffset From = new(2026, 11, 1, 0, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Html_ManyReceiptsAndFewDifferences_DifferencesFirstThenTheSummaryByKindWithCountsAndValues()
    {
        var html = ReconcileFiles.Html(Report());

        var summary = Section(html, "Summary by kind");
        Assert.Equal(
            [
                ("missing_at_provider", "1", "1,250 units"), ("never_invoiced", "1", "7 units"), ("not_in_ledger", "2", "12,345.50 USD"), ("value_mismatch", "1", "-2 units"),
                ("receipt_assigned", "40", "4,000 units"),
            ],
            Rows(summary).Select(r => (r[0], r[1], r[2])));
        // What finance must act on leads the page.
        Assert.True(html.IndexOf("<h2>Differences</h2>", StringComparison.Ordinal) < html.IndexOf("Summary by kind", StringComparison.Ordinal));
        Assert.Contains("<span class=\"fail\">DIFFERENCES</span>: 5 findings need a look: 1 missing_at_provider (1,250 units); 1 never_invoiced (7 units); 2 not_in_ledger (12,345.50 USD);", html, StringComparison.Ordinal);
        Assert.Contains("40 receipt or invoice ids written back", html, StringComparison.Ordinal);
    }

    [Fact]
    public void Html_ReceiptAssigned_CollapsedToACountNotOneRowEach()
    {
        var html = ReconcileFiles.Html(Report());

        Assert.DoesNotContain("rec_0001", html, StringComparison.Ordinal);
        Assert.Equal(1, Regex.Count(html, ">receipt_assigned</td>"));
        Assert.Contains("40 usages were charged by the provider since they were billed (4,000 units)", Section(html, "Receipts and invoices written back"), StringComparison.Ordinal);
        var one = Report() with { Findings = [Receipt(1)] };
        Assert.Contains("1 usage was charged by the provider since it was billed (100 units)", ReconcileFiles.Html(one), StringComparison.Ordinal);
        Assert.Contains("CLEAN</span>: the ledger and the provider agree. 1 receipt or invoice id written back", ReconcileFiles.Html(one), StringComparison.Ordinal);
    }

    [Fact]
    public void Html_Differences_WorstKindsFirstInAFixedWidthTable()
    {
        var html = ReconcileFiles.Html(Report());

        var table = Section(html, "Differences");
        Assert.Equal(
            ["missing_at_provider", "never_invoiced", "not_in_ledger", "not_in_ledger", "value_mismatch"],
            Rows(table).Select(r => r[0]));
        Assert.Contains("<table class=\"fixed\">", table, StringComparison.Ordinal);
        Assert.Contains("<col style=\"width: 150px\">", table, StringComparison.Ordinal);
        Assert.Contains("table.fixed { table-layout: fixed; width: 100%; }", html, StringComparison.Ordinal);
        Assert.Contains("overflow-wrap: anywhere", html, StringComparison.Ordinal);
        Assert.Contains("<td class=\"num\">10,000.25</td>", table, StringComparison.Ordinal); // amounts: separators, currency decimals
        Assert.Contains("&lt;script&gt;", table, StringComparison.Ordinal);
        Assert.DoesNotContain("<script>", html, StringComparison.Ordinal);
    }

    [Fact]
    public void Line_NamesEveryKindWithItsCount()
    {
        Assert.Equal(
            "whop-test: 1,234 ledger submissions, 1 provider usage; 5 differences: 1 missing_at_provider, 1 never_invoiced, 2 not_in_ledger, 1 value_mismatch; 40 receipt_assigned",
            ReconcileSummary.Line(Report()));
        Assert.Equal("whop-test: 1,234 ledger submissions, 1 provider usage; no differences; no receipts to write",
            ReconcileSummary.Line(Report() with { Findings = [] }));
    }

    [Fact]
    public void Csv_AndJson_KeepTheReconcilersOrderAndEveryReceipt()
    {
        var report = Report();
        var csv = System.Text.Encoding.UTF8.GetString(ReconcileFiles.Csv(report));
        Assert.Equal(46, csv.Split("\r\n", StringSplitOptions.RemoveEmptyEntries).Length); // header + every finding
        Assert.Contains("rec_0001", csv, StringComparison.Ordinal);
        Assert.Contains("\"kind\":\"never_invoiced\"", ReportJson.Serialize(report).Replace(" ", "", StringComparison.Ordinal), StringComparison.Ordinal);
    }

    private static ReconcileReport Report()
    {
        List<ReconcileFinding> findings =
        [
            Finding(ReconcileKinds.NeverInvoiced, 7, null, 7, "late-entry"),
            Finding(ReconcileKinds.NotInLedger, null, null, 2345.25m, "made-in-console", "amount"),
            Finding(ReconcileKinds.NotInLedger, null, null, 10000.25m, "made-in-console-with-a-very-long-identifier-0123456789abcdef0123456789abcdef", "amount"),
            Finding(ReconcileKinds.ValueMismatch, 9, 5, 3, "usage-9"),
            Finding(ReconcileKinds.MissingAtProvider, 3, 1250, null, "usage-3<script>"),
        ];
        findings.AddRange(Enumerable.Range(1, 40).Select(Receipt));
        return new ReconcileReport(1, "whop-test", "whop", "whop", From, From.AddMonths(1), From.AddMonths(1).AddHours(1), "USD", 1234, 1,
            findings.OrderBy(f => f.Kind, StringComparer.Ordinal).ToList());
    }

    private static ReconcileFinding Receipt(int i) =>
        Finding(ReconcileKinds.ReceiptAssigned, 100 + i, 100, 100, $"usage-r{i}") with { ReceiptId = $"rec_{i:0000}" };

    private static ReconcileFinding Finding(string kind, long? submission, decimal? ours, decimal? theirs, string usageId, string valueKind = "quantity") =>
        new(kind, submission, usageId, "membership_id", "mem_Alpha01_with_a_long_membership_identifier", "billing_item_id", "bi_ApiCalls01", valueKind,
            ours, theirs, null, null, From.AddDays(3), ReconcileKinds.Meaning(kind));

    /// <summary>The markup from an h2 to the next h2.</summary>
    private static string Section(string html, string heading)
    {
        var start = html.IndexOf($"<h2>{heading}</h2>", StringComparison.Ordinal);
        Assert.True(start >= 0, heading);
        var end = html.IndexOf("<h2>", start + 4, StringComparison.Ordinal);
        return end < 0 ? html[start..] : html[start..end];
    }

    private static List<string[]> Rows(string table) =>
        Regex.Matches(table, "<tr>(.*?)</tr>").Select(m => Regex.Matches(m.Groups[1].Value, "<td[^>]*>(.*?)</td>").Select(c => c.Groups[1].Value).ToArray())
            .Where(r => r.Length > 0).ToList();
}
