using UsageBatch.Billing;
using UsageBatch.Providers;
using UsageBatch.Reports;
using UsageBatch.Storage;
using UsageBatch.Tests.Billing;
using UsageBatch.Tests.TestSupport;

namespace UsageBatch.Tests.Reports;

/// <summary>The reports written after a crash (the recovering run's) and after a stop tell the whole story.</summary>
public sealed class RecoveredAndVoidedReportTests
{
    [Fact]
    public async Task Report_RunThatFinishesADeadRunsWork_ShowsItInFullMarkedFinishedForThatRun()
    {
        await using var h = await BillingHarness.StartAsync();
        var expected = await CrashRecoveryTests.SeedAsync(h, ProviderKind.Chargebee);
        var job = BillingHarness.Job(ProviderKind.Chargebee);
        var account = h.Account(ProviderKind.Chargebee);
        // Run 1 records every outcome at the provider, then dies before settling any rows.
        var crashing = new CrashingStore(h.Store, nameof(IBillingStore.SettleConfirmedAsync), 1);
        await h.Run(job, account, store: crashing).ExecuteAsync(DateTimeOffset.UtcNow, CancellationToken.None);
        var later = h.PassTime(job.LeaseDuration + TimeSpan.FromMinutes(1));
        var recovery = await h.Run(job, account, later).ExecuteAsync(later.GetUtcNow(), CancellationToken.None);
        await CrashRecoveryTests.AssertConvergedAsync(h, ProviderKind.Chargebee, expected);

        var report = (await new RunReportBuilder(h.Store, new ReportDefaults("EUR")).BuildAsync(recovery.RunId, CancellationToken.None))!;

        var finished = report.Submissions.Where(s => s.FinishedForRun == 1).ToList();
        Assert.NotEmpty(finished);
        Assert.All(finished, s =>
        {
            Assert.Equal("confirmed", s.Status);
            Assert.NotNull(s.ProviderUsageId);
            Assert.Equal(s.Total, s.EchoedTotal);
        });
        // The one run 1 had confirmed (settled by this run) says so; the ones it never sent this run sent itself.
        Assert.Contains(finished, s => s.Reason?.StartsWith("finished for run 1", StringComparison.Ordinal) == true);
        var control = Assert.Single(report.ControlCheck);
        Assert.True(control.Passed);
        Assert.Equal(expected.Values.Sum(), control.BilledTotal);
        Assert.Equal(expected.Count, control.Submissions);
        var html = RunReportHtml.Render(report);
        Assert.Contains("finished for run 1", html, StringComparison.Ordinal);
        Assert.Contains("finished for a run that died", ReportSummaryText.For(report), StringComparison.Ordinal);
        Assert.Equal(html, RunReportHtml.Render((await new RunReportBuilder(h.Store, new ReportDefaults("EUR")).BuildAsync(recovery.RunId, CancellationToken.None))!));
    }

    [Fact]
    public async Task Report_StoppedRun_ListsVoidedGroupsAsExceptionsAndSaysSoAtTheTop()
    {
        await using var h = await BillingHarness.StartAsync();
        for (var day = 0; day < 6; day++)
        {
            await h.InsertChargebeeAsync($"r{day}", "sub_Acme", "api-calls-USD-monthly", "1234.5", BillingHarness.Earlier(day * 86400));
        }

        var account = h.Account(ProviderKind.Chargebee);
        account.RequestsPerWindow = 3; // the subscription's terms, then two sends
        account.Window = TimeSpan.FromMinutes(1);
        using var stop = new CancellationTokenSource();
        var running = h.Run(BillingHarness.Job(ProviderKind.Chargebee), account).ExecuteAsync(DateTimeOffset.UtcNow, stop.Token);
        while (await h.ScalarAsync<long>("SELECT COUNT(*) FROM ub_submission WHERE status = 'confirmed'") < 2)
        {
            await Task.Delay(20);
        }

        await Task.Delay(200);
        await stop.CancelAsync();
        var summary = await running.WaitAsync(TimeSpan.FromSeconds(20));

        var report = (await new RunReportBuilder(h.Store, new ReportDefaults(null)).BuildAsync(summary.RunId, CancellationToken.None))!;

        var voided = report.Exceptions.Where(e => e.Scope == "submission" && e.Kind == "void").ToList();
        Assert.Equal(4, voided.Count);
        Assert.All(voided, e => Assert.Contains("billed by the next run", e.WhatToDo, StringComparison.Ordinal));
        var text = ReportSummaryText.For(report);
        Assert.Contains("2 usages confirmed by chargebee; 2 rows billed: 2,469 units.", text, StringComparison.Ordinal);
        Assert.Contains("Not billed: 4 groups voided, never sent, rows back to pending and billed by the next run (4 rows, 4,938 units).", text, StringComparison.Ordinal);
        Assert.Contains("Control check: PASS", text, StringComparison.Ordinal);
        var html = RunReportHtml.Render(report);
        Assert.DoesNotContain("Exceptions: None", html, StringComparison.Ordinal);
        Assert.Contains(">voided<", html, StringComparison.Ordinal);
        Assert.Contains("currency not set", html, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(17329.9, "quantity", "units", "17,329.9")]
    [InlineData(17329.9, "amount", "USD", "17,329.90")]
    [InlineData(1500, "amount", "JPY", "1,500")]
    [InlineData(12.3456, "amount", "USD", "12.3456")] // never rounded
    [InlineData(-0.5, "amount", "currency not set", "-0.50")]
    public void Display_UsesSeparatorsAndTheCurrencysDecimals(double value, string kind, string unit, string text) =>
        Assert.Equal(text, ReportNumber.Display((decimal)value, kind, unit));
}
