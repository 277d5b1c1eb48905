using UsageBatch.Emulator;
using UsageBatch.Providers;
using UsageBatch.Reports;
using UsageBatch.Tests.TestSupport;

namespace UsageBatch.Tests.Reports;

/// <summary>
/// Finance's tie-out through the real Chargebee client and the emulator's terms and invoices: every confirmed usage of an
/// ended term is on an invoice line, or the finding says why it never will be.
/// </summary>
public sealed class InvoiceTieOutTests
{
    private static readonly DateTimeOffset Now = DateTimeOffset.UtcNow;

    private static ChargebeeSubscription Monthly(string id, bool pendingInvoices) => TermFixtures.Monthly(id, pendingInvoices, Now);

    private static Task<BillingHarness> StartAsync(params ChargebeeSubscription[] subscriptions) => TermFixtures.StartAsync("sum", subscriptions);

    private static Task<BillingHarness> StartAsync(string aggregation, params ChargebeeSubscription[] subscriptions) => TermFixtures.StartAsync(aggregation, subscriptions);

    private static async Task<ReconcileReport> ReconcileAsync(BillingHarness h)
    {
        var job = BillingHarness.Job(ProviderKind.Chargebee);
        var account = h.Account(ProviderKind.Chargebee);
        return await new Reconciler(h.Store, h.Provider(account), job, account, TimeProvider.System).RunAsync(Now.AddDays(-45), Now.AddDays(1), CancellationToken.None);
    }

    [Fact]
    public async Task UsageSentIntoAClosedTerm_IsNeverInvoiced_NamingTheTermsInvoice()
    {
        await using var h = await StartAsync(Monthly("sub_Closed", pendingInvoices: false));
        await h.InsertChargebeeAsync("late", "sub_Closed", "api-calls-USD-monthly", "5", BillingHarness.At(Now.AddDays(-20)));
        var job = BillingHarness.Job(ProviderKind.Chargebee);
        job.LateUsage = "send"; // the operator accepted it: reconcile still says it is lost
        Assert.Equal(1, (await h.Run(job, h.Account(ProviderKind.Chargebee)).ExecuteAsync(Now, CancellationToken.None)).Confirmed);

        var report = await ReconcileAsync(h);

        var finding = Assert.Single(report.Findings);
        Assert.Equal(ReconcileKinds.NeverInvoiced, finding.Kind);
        Assert.StartsWith("inv_", finding.ReceiptId, StringComparison.Ordinal);
        Assert.Contains($"whose invoice {finding.ReceiptId} is", finding.Detail, StringComparison.Ordinal);
        Assert.False(report.Clean);
        Assert.Contains("never_invoiced", ReconcileHtml.Render(report), StringComparison.Ordinal);
    }

    [Fact]
    public async Task UsageOnAClosedInvoice_IsInvoiced_AndTheInvoiceViewTiesItsLineToOurRows()
    {
        await using var h = await StartAsync(Monthly("sub_Pending", pendingInvoices: true));
        await h.InsertChargebeeAsync("a", "sub_Pending", "api-calls-USD-monthly", "5", BillingHarness.At(Now.AddDays(-20)));
        await h.InsertChargebeeAsync("b", "sub_Pending", "api-calls-USD-monthly", "2.5", BillingHarness.At(Now.AddDays(-20).AddMinutes(5)));
        var summary = await h.Run(BillingHarness.Job(ProviderKind.Chargebee), h.Account(ProviderKind.Chargebee)).ExecuteAsync(Now, CancellationToken.None);
        var submission = (await h.Store.SubmissionsOfRunAsync(summary.RunId, CancellationToken.None)).Single();
        var invoiceId = (await ReconcileAsync(h)).Invoices is { Count: 0 } or null
            ? await PendingInvoiceAsync(h)
            : throw new InvalidOperationException("nothing is invoiced before the close");
        await h.CloseInvoiceAsync(invoiceId);

        var report = await ReconcileAsync(h);

        var invoiced = Assert.Single(report.Findings);
        Assert.Equal((ReconcileKinds.Invoiced, invoiceId), (invoiced.Kind, invoiced.ReceiptId));
        Assert.Contains("(line li_", invoiced.Detail, StringComparison.Ordinal);
        Assert.True(report.Clean);
        var view = Assert.Single(report.Invoices!);
        var line = Assert.Single(view.Lines);
        Assert.Equal((invoiceId, "posted", 7.5m, 7.5m, 1, 0, 2), (view.InvoiceId, view.Status, line.LineQuantity, line.UsageTotal, line.Usages, line.ForeignUsages, line.OurRows));
        Assert.Equal([submission.Id], line.OurSubmissions);
        Assert.Contains($"Invoice {invoiceId} (posted)", ReconcileHtml.Render(report), StringComparison.Ordinal);
    }

    [Fact]
    public async Task UsageWhoseInvoiceWasVoided_IsInvoiceVoided()
    {
        await using var h = await StartAsync(Monthly("sub_Pending", pendingInvoices: true));
        await h.InsertChargebeeAsync("a", "sub_Pending", "api-calls-USD-monthly", "5", BillingHarness.At(Now.AddDays(-20)));
        await h.Run(BillingHarness.Job(ProviderKind.Chargebee), h.Account(ProviderKind.Chargebee)).ExecuteAsync(Now, CancellationToken.None);
        var invoiceId = await PendingInvoiceAsync(h);
        await h.CloseInvoiceAsync(invoiceId);
        await h.VoidInvoiceAsync(invoiceId);

        var report = await ReconcileAsync(h);

        var finding = Assert.Single(report.Findings);
        Assert.Equal((ReconcileKinds.InvoiceVoided, invoiceId), (finding.Kind, finding.ReceiptId));
    }

    [Fact]
    public async Task UsageOfTheCurrentTerm_OrOnAPendingInvoice_IsNoFinding()
    {
        await using var h = await StartAsync(Monthly("sub_Pending", pendingInvoices: true));
        await h.InsertChargebeeAsync("old", "sub_Pending", "api-calls-USD-monthly", "5", BillingHarness.At(Now.AddDays(-20)));
        await h.InsertChargebeeAsync("new", "sub_Pending", "api-calls-USD-monthly", "1", BillingHarness.At(Now.AddDays(-1)));
        await h.Run(BillingHarness.Job(ProviderKind.Chargebee), h.Account(ProviderKind.Chargebee)).ExecuteAsync(Now, CancellationToken.None);

        var report = await ReconcileAsync(h);

        Assert.Empty(report.Findings);
        Assert.True(report.Clean);
    }

    [Fact]
    public async Task ALineThatBillsOtherThanItsUsagesAddUpTo_IsALineQuantityMismatch()
    {
        // A site set to aggregate by "max usage" bills the largest usage of the term, not their sum.
        await using var h = await StartAsync("max", Monthly("sub_Pending", pendingInvoices: true));
        await h.InsertChargebeeAsync("a", "sub_Pending", "api-calls-USD-monthly", "5", BillingHarness.At(Now.AddDays(-20)));
        await h.InsertChargebeeAsync("b", "sub_Pending", "api-calls-USD-monthly", "3", BillingHarness.At(Now.AddDays(-19)));
        await h.Run(BillingHarness.Job(ProviderKind.Chargebee), h.Account(ProviderKind.Chargebee)).ExecuteAsync(Now, CancellationToken.None);
        var invoiceId = await PendingInvoiceAsync(h);
        await h.CloseInvoiceAsync(invoiceId);

        var report = await ReconcileAsync(h);

        var mismatch = Assert.Single(report.Findings, f => f.Kind == ReconcileKinds.LineQuantityMismatch);
        Assert.Equal((8m, 5m, invoiceId), (mismatch.OurValue, mismatch.ProviderValue, mismatch.ReceiptId));
        Assert.Contains("bills 5, but the 2 usages on it add up to 8 (2 of them ours)", mismatch.Detail, StringComparison.Ordinal);
        Assert.Equal(-3m, ReconcileSummary.Value(mismatch));
        Assert.False(report.Clean);
    }

    private static async Task<string> PendingInvoiceAsync(BillingHarness h)
    {
        using var http = new HttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(h.Emulator.ChargebeeBaseUrl + "/invoices?status%5Bis%5D=pending"));
        request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Basic", Convert.ToBase64String("cb_test_key:"u8.ToArray()));
        using var response = await http.SendAsync(request);
        response.EnsureSuccessStatusCode();
        using var doc = System.Text.Json.JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return doc.RootElement.GetProperty("list")[0].GetProperty("invoice").GetProperty("id").GetString()!;
    }
}
