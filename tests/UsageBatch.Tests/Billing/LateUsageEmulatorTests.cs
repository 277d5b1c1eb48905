using UsageBatch.Billing;
using UsageBatch.Emulator;
using UsageBatch.Providers;
using UsageBatch.Storage;
using UsageBatch.Tests.TestSupport;

namespace UsageBatch.Tests.Billing;

/// <summary>
/// The real Chargebee client against the emulator's subscriptions, terms and invoices: the reads the run makes before
/// sending, in Chargebee's own shapes, decide what is sent.
/// </summary>
public sealed class LateUsageEmulatorTests
{
    private static readonly DateTimeOffset Now = DateTimeOffset.UtcNow;

    private static ChargebeeSubscription Monthly(string id, bool pendingInvoices) => TermFixtures.Monthly(id, pendingInvoices, Now);

    private static Task<BillingHarness> StartAsync(params ChargebeeSubscription[] subscriptions) => TermFixtures.StartAsync("sum", subscriptions);

    private static string DaysAgo(double days) => BillingHarness.At(Now.AddDays(-days));

    [Fact]
    public async Task UsageOfAClosedTerm_IsHeldNamingTheInvoice_UsageOfTheCurrentTermIsSent()
    {
        await using var h = await StartAsync(Monthly("sub_Closed", pendingInvoices: false));
        await h.InsertChargebeeAsync("old", "sub_Closed", "api-calls-USD-monthly", "5", DaysAgo(20));
        await h.InsertChargebeeAsync("new", "sub_Closed", "api-calls-USD-monthly", "2", DaysAgo(1));
        var job = BillingHarness.Job(ProviderKind.Chargebee);

        var summary = await h.Run(job, h.Account(ProviderKind.Chargebee)).ExecuteAsync(Now, CancellationToken.None);

        Assert.Equal((1, 1), (summary.Confirmed, summary.Held));
        Assert.Equal(2m, Assert.Single((await h.ProviderLedgerAsync()).Chargebee).Value);
        var held = (await h.Store.SubmissionsOfRunAsync(summary.RunId, CancellationToken.None)).Single(s => s.Status == SubmissionStatus.Held);
        Assert.Matches(@"^late: usage_date .* is in the term .*, whose invoice inv_\w+ is (posted|paid): Chargebee would store the usage and never invoice it", held.StatusReason);
        var rows = await h.RowsAsync(Tables.Chargebee);
        Assert.Equal(("held", "billed"), (rows.Single(r => r.SourceKey == "old").BillingStatus, rows.Single(r => r.SourceKey == "new").BillingStatus));
    }

    [Fact]
    public async Task UsageOfATermWhoseInvoiceIsPending_IsSent_AndLandsOnThatInvoiceOnceItCloses()
    {
        await using var h = await StartAsync(Monthly("sub_Pending", pendingInvoices: true));
        await h.InsertChargebeeAsync("old", "sub_Pending", "api-calls-USD-monthly", "5", DaysAgo(20));
        var job = BillingHarness.Job(ProviderKind.Chargebee);

        var summary = await h.Run(job, h.Account(ProviderKind.Chargebee)).ExecuteAsync(Now, CancellationToken.None);

        Assert.Equal(1, summary.Confirmed);
        var submission = (await h.Store.SubmissionsOfRunAsync(summary.RunId, CancellationToken.None)).Single();
        var report = (await new UsageBatch.Reports.RunReportBuilder(h.Store, new UsageBatch.Reports.ReportDefaults(null)).BuildAsync(summary.RunId, CancellationToken.None))!;
        var line = Assert.Single(report.LateUsage!);
        Assert.Equal("on a pending invoice", line.Standing);
        var invoiceId = System.Text.RegularExpressions.Regex.Match(line.Detail, @"invoice (inv_\w+) is still pending").Groups[1].Value;
        Assert.NotEmpty(invoiceId);

        await h.CloseInvoiceAsync(invoiceId);
        var account = h.Account(ProviderKind.Chargebee);
        var from = Now.AddDays(-40);
        var reconcile = await new UsageBatch.Reports.Reconciler(h.Store, h.Provider(account), job, account, TimeProvider.System)
            .RunAsync(from, Now.AddDays(1), CancellationToken.None);

        Assert.Contains(reconcile.Findings, f => f.Kind == UsageBatch.Reports.ReconcileKinds.Invoiced && f.ReceiptId == invoiceId && f.SubmissionId == submission.Id);
        Assert.Equal(invoiceId, await h.ScalarAsync<string>("SELECT provider_receipt_id FROM chargebee_usage"));
    }

    [Fact]
    public async Task UsageDatedAfterCancellation_IsHeldAsInactive_AndNothingIsSent()
    {
        await using var h = await StartAsync();
        await h.InsertChargebeeAsync("gone", "sub_Umbrella", "api-calls-USD-monthly", "7", DaysAgo(2));
        var job = BillingHarness.Job(ProviderKind.Chargebee);
        job.LateUsage = "send"; // inactive usage is held whatever the policy

        var summary = await h.Run(job, h.Account(ProviderKind.Chargebee)).ExecuteAsync(Now, CancellationToken.None);

        Assert.Equal(1, summary.Held);
        Assert.Empty((await h.ProviderLedgerAsync()).Chargebee);
        var held = (await h.Store.SubmissionsOfRunAsync(summary.RunId, CancellationToken.None)).Single();
        Assert.Contains("after the subscription was cancelled (2023-11-14T22:13:20", held.StatusReason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task LateUnderCurrentTerm_IsSentReDated_IntoTheTermTheSubscriptionReports()
    {
        await using var h = await StartAsync(Monthly("sub_Closed", pendingInvoices: false));
        await h.InsertChargebeeAsync("old", "sub_Closed", "api-calls-USD-monthly", "5", DaysAgo(20));
        var job = BillingHarness.Job(ProviderKind.Chargebee);
        job.LateUsage = "currentTerm";

        var summary = await h.Run(job, h.Account(ProviderKind.Chargebee)).ExecuteAsync(Now, CancellationToken.None);

        Assert.Equal(1, summary.Confirmed);
        var usage = Assert.Single((await h.ProviderLedgerAsync()).Chargebee);
        Assert.Equal(5m, usage.Value);
        var submission = (await h.Store.SubmissionsOfRunAsync(summary.RunId, CancellationToken.None)).Single();
        Assert.InRange(submission.UsageDate!.Value, Now.AddDays(-11), Now.AddSeconds(5));
    }
}
