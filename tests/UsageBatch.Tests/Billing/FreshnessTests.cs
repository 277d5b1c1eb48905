using UsageBatch.Billing;
using UsageBatch.Providers;
using UsageBatch.Reports;
using UsageBatch.Tests.TestSupport;

namespace UsageBatch.Tests.Billing;

/// <summary>
/// Silence is not success: a job that expects usage ends attention when its table's newest row is older than that,
/// naming the table and the row's time; and each report lists the customers who went quiet.
/// </summary>
public sealed class FreshnessTests
{
    [Fact]
    public async Task StaleUsageTable_EndsTheRunAttention_NamingTheTableAndItsNewestRow()
    {
        await using var h = await BillingHarness.StartAsync();
        var newest = DateTimeOffset.UtcNow.AddDays(-3);
        await h.InsertChargebeeAsync("old", "sub_Acme", "api-calls-USD-monthly", "2", BillingHarness.At(newest));
        var job = BillingHarness.Job(ProviderKind.Chargebee);
        job.ExpectUsageWithin = TimeSpan.FromDays(1);

        var summary = await h.Run(job, h.Account(ProviderKind.Chargebee)).ExecuteAsync(DateTimeOffset.UtcNow, CancellationToken.None);

        Assert.Equal((RunOutcome.Attention, ExitCodes.Attention), (summary.Outcome, summary.ExitCode));
        Assert.Equal(1, summary.Confirmed); // what there was is billed all the same
        Assert.StartsWith($"chargebee_usage: no new usage; its newest row occurred at {BillingHarness.At(newest)[..19]}", summary.Message, StringComparison.Ordinal);
        Assert.Contains("(expectUsageWithin 1 d 00 h)", summary.Message, StringComparison.Ordinal);
        Assert.Equal(summary.Message, summary.Stale);
    }

    [Fact]
    public async Task EmptyUsageTable_EndsTheRunAttention()
    {
        await using var h = await BillingHarness.StartAsync();
        var job = BillingHarness.Job(ProviderKind.Whop);
        job.ExpectUsageWithin = TimeSpan.FromHours(6);

        var summary = await h.Run(job, h.Account(ProviderKind.Whop)).ExecuteAsync(DateTimeOffset.UtcNow, CancellationToken.None);

        Assert.Equal(ExitCodes.Attention, summary.ExitCode);
        Assert.StartsWith("whop_usage: no usage at all", summary.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task FreshUsageTable_OrNoExpectation_LeavesTheRunSucceeded()
    {
        await using var h = await BillingHarness.StartAsync();
        await h.InsertChargebeeAsync("new", "sub_Acme", "api-calls-USD-monthly", "2", BillingHarness.Earlier(1));
        var job = BillingHarness.Job(ProviderKind.Chargebee);
        job.ExpectUsageWithin = TimeSpan.FromDays(1);
        var fresh = await h.Run(job, h.Account(ProviderKind.Chargebee)).ExecuteAsync(DateTimeOffset.UtcNow, CancellationToken.None);

        job.ExpectUsageWithin = null;
        var unchecked_ = await h.Run(job, h.Account(ProviderKind.Chargebee)).ExecuteAsync(DateTimeOffset.UtcNow.AddDays(30), CancellationToken.None);

        Assert.Equal((ExitCodes.Ok, null), (fresh.ExitCode, fresh.Stale));
        Assert.Equal((ExitCodes.Ok, null), (unchecked_.ExitCode, unchecked_.Stale));
    }

    [Fact]
    public async Task SilentCustomer_BilledInEachOfThePreviousRuns_AndQuietNow_IsListed()
    {
        await using var h = await BillingHarness.StartAsync();
        var job = BillingHarness.Job(ProviderKind.Chargebee);
        job.SilentCustomerRuns = 2;
        var account = h.Account(ProviderKind.Chargebee);
        async Task<RunSummary> RunWithAsync(params string[] subscriptions)
        {
            foreach (var s in subscriptions)
            {
                await h.InsertChargebeeAsync($"{s}-{Guid.NewGuid():N}", s, "api-calls-USD-monthly", "1", BillingHarness.Earlier(Random.Shared.Next(1, 3000)));
            }

            return await h.Run(job, account).ExecuteAsync(DateTimeOffset.UtcNow, CancellationToken.None);
        }

        var first = await RunWithAsync("sub_Acme", "sub_Globex");
        await RunWithAsync(); // billed nothing: does not count as one of the previous runs
        await RunWithAsync("sub_Acme", "sub_Globex");
        var quiet = await RunWithAsync("sub_Acme");
        var builder = new RunReportBuilder(h.Store, new ReportDefaults(null));

        var report = (await builder.BuildAsync(quiet.RunId, CancellationToken.None))!;
        var tooEarly = (await builder.BuildAsync(first.RunId, CancellationToken.None))!;

        var silent = report.SilentCustomers!;
        Assert.Equal(2, silent.Runs);
        Assert.Equal(("subscription_id", "sub_Globex"), (Assert.Single(silent.Customers).Field, silent.Customers[0].Id));
        Assert.Contains("Silent customers", RunReportHtml.Render(report), StringComparison.Ordinal);
        Assert.Null(tooEarly.SilentCustomers); // fewer than two billing runs before it
    }
}
