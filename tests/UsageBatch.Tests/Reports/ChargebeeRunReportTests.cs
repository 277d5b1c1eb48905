using UsageBatch.Providers;
using UsageBatch.Reports;
using UsageBatch.Tests.TestSupport;

namespace UsageBatch.Tests.Reports;

public sealed class ChargebeeRunReportTests
{
    [Fact]
    public async Task Build_SubscriptionAtCapWarnAt_IsListedWithHeadroom_AndQuantitiesAreUnits()
    {
        await using var h = await BillingHarness.StartAsync();
        await h.InsertChargebeeAsync("a1", "sub_Acme", "api-calls-USD-monthly", "1.5", BillingHarness.Earlier(1));
        await h.InsertChargebeeAsync("g1", "sub_Globex", "api-calls-USD-monthly", "2", BillingHarness.Earlier(2));
        await h.InsertChargebeeAsync("g2", "sub_Globex", "storage-USD-monthly", "3", BillingHarness.Earlier(3));
        var job = BillingHarness.Job(ProviderKind.Chargebee);
        job.CapWarnAt = 2;
        var account = h.Account(ProviderKind.Chargebee);
        account.UsageCap = 3;
        var summary = await h.Run(job, account).ExecuteAsync(DateTimeOffset.UtcNow, CancellationToken.None);

        var report = (await new RunReportBuilder(h.Store, new ReportDefaults(null)).BuildAsync(summary.RunId, CancellationToken.None))!;

        var cap = Assert.Single(report.CapWarnings);
        Assert.Equal(("sub_Globex", 2, 1, "warning"), (cap.SubscriptionId, cap.Usages, cap.Headroom, cap.Level));
        var total = Assert.Single(report.TotalsByProvider);
        Assert.Equal(("quantity", "units", 6.5m), (total.ValueKind, total.Unit, total.Total));
        Assert.True(report.ControlPassed);
        Assert.Contains("sub_Globex", RunReportHtml.Render(report), StringComparison.Ordinal);
        Assert.Null(await new RunReportBuilder(h.Store, new ReportDefaults(null)).BuildAsync(999, CancellationToken.None));
    }
}
