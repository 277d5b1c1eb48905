using UsageBatch.Billing;
using UsageBatch.Providers;
using UsageBatch.Storage;
using UsageBatch.Tests.TestSupport;

namespace UsageBatch.Tests.Billing;

public sealed class BillingRunTests
{
    [Fact]
    public async Task Run_TenRowsOfPointOne_SumToExactlyOne()
    {
        await using var h = await BillingHarness.StartAsync();
        for (var i = 0; i < 10; i++)
        {
            await h.InsertChargebeeAsync($"k{i}", "sub_Acme", "api-calls-USD-monthly", "0.1", BillingHarness.Earlier(i));
        }

        Assert.Single(await h.Store.ListPendingGroupsAsync(Tables.Chargebee, DateTimeOffset.UtcNow.AddHours(-1), "day", CancellationToken.None));

        var account = h.Account(ProviderKind.Chargebee);
        var summary = await h.Run(BillingHarness.Job(ProviderKind.Chargebee), account).ExecuteAsync(DateTimeOffset.UtcNow, CancellationToken.None);

        Assert.Equal(ExitCodes.Ok, summary.ExitCode);
        var (_, chargebee) = await h.ProviderLedgerAsync();
        Assert.Equal(1m, Assert.Single(chargebee).Value);
        Assert.All(await h.RowsAsync(Tables.Chargebee), r => Assert.Equal("billed", r.BillingStatus));
    }

    [Fact]
    public async Task Run_WhopRowsOfBothKinds_MakeTwoSubmissionsAndProviderRejectsTheWrongKind()
    {
        await using var h = await BillingHarness.StartAsync();
        await h.InsertWhopAsync("a", "mem_Alpha01", null, "bi_ApiCalls01", null, null, "5", BillingHarness.Earlier(1));
        await h.InsertWhopAsync("b", "mem_Alpha01", null, "bi_ApiCalls01", null, null, "7", BillingHarness.Earlier(2));
        await h.InsertWhopAsync("c", "mem_Alpha01", null, "bi_ApiCalls01", null, "2.50", null, BillingHarness.Earlier(3));

        var summary = await h.Run(BillingHarness.Job(ProviderKind.Whop), h.Account(ProviderKind.Whop)).ExecuteAsync(DateTimeOffset.UtcNow, CancellationToken.None);

        Assert.Equal(2, summary.Groups);
        Assert.Equal(ExitCodes.Attention, summary.ExitCode);
        var (whop, _) = await h.ProviderLedgerAsync();
        Assert.Equal(12m, Assert.Single(whop).Value);
        var rows = await h.RowsAsync(Tables.Whop);
        Assert.Equal(["billed", "billed", "rejected"], rows.Select(r => r.BillingStatus));
        Assert.All(rows.Take(2), r => Assert.Equal(whop[0].Id, r.ProviderUsageId));
        Assert.False(string.IsNullOrEmpty(rows[2].BillingError));
    }

    [Fact]
    public async Task Run_NetSums_ZeroIsBilledWithoutACallAndNegativeIsRejected()
    {
        await using var h = await BillingHarness.StartAsync();
        await h.InsertChargebeeAsync("z1", "sub_Acme", "api-calls-USD-monthly", "4.5", BillingHarness.Earlier(1));
        await h.InsertChargebeeAsync("z2", "sub_Acme", "api-calls-USD-monthly", "-4.5", BillingHarness.Earlier(2));
        await h.InsertChargebeeAsync("n1", "sub_Globex", "api-calls-USD-monthly", "1", BillingHarness.Earlier(1));
        await h.InsertChargebeeAsync("n2", "sub_Globex", "api-calls-USD-monthly", "-3", BillingHarness.Earlier(2));

        var summary = await h.Run(BillingHarness.Job(ProviderKind.Chargebee), h.Account(ProviderKind.Chargebee)).ExecuteAsync(DateTimeOffset.UtcNow, CancellationToken.None);

        Assert.Equal(1, summary.Zero);
        Assert.Equal(1, summary.Rejected);
        Assert.Equal(0, summary.ProviderCalls);
        var (_, chargebee) = await h.ProviderLedgerAsync();
        Assert.Empty(chargebee);
        var rows = await h.RowsAsync(Tables.Chargebee);
        Assert.Equal(["billed", "billed", "rejected", "rejected"], rows.Select(r => r.BillingStatus));
        Assert.Contains("negative", rows[2].BillingError, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_GroupAboveMaxQuantity_IsHeldNotSent()
    {
        await using var h = await BillingHarness.StartAsync();
        await h.InsertChargebeeAsync("big", "sub_Acme", "api-calls-USD-monthly", "1000000", BillingHarness.Earlier(1));
        var job = BillingHarness.Job(ProviderKind.Chargebee);
        job.MaxQuantityPerSubmission = 1000;

        var summary = await h.Run(job, h.Account(ProviderKind.Chargebee)).ExecuteAsync(DateTimeOffset.UtcNow, CancellationToken.None);

        Assert.Equal(1, summary.Held);
        Assert.Equal(0, summary.ProviderCalls);
        var row = Assert.Single(await h.RowsAsync(Tables.Chargebee));
        Assert.Equal("held", row.BillingStatus);
        Assert.Contains("maxQuantityPerSubmission", row.BillingError, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_RowsAfterCutoff_StayPending()
    {
        await using var h = await BillingHarness.StartAsync();
        await h.InsertChargebeeAsync("late", "sub_Acme", "api-calls-USD-monthly", "1", BillingHarness.At(DateTimeOffset.UtcNow.AddMinutes(-5)));

        var summary = await h.Run(BillingHarness.Job(ProviderKind.Chargebee), h.Account(ProviderKind.Chargebee)).ExecuteAsync(DateTimeOffset.UtcNow, CancellationToken.None);

        Assert.Equal(0, summary.Groups);
        Assert.Equal("pending", Assert.Single(await h.RowsAsync(Tables.Chargebee)).BillingStatus);
        var counts = await h.Store.CountRowsAsync(Tables.Chargebee, summary.Cutoff, CancellationToken.None);
        Assert.Equal(1, counts.FutureDated);
    }

    [Fact]
    public async Task DryRun_ReportsWhatWouldBeSentAndChangesNothing()
    {
        await using var h = await BillingHarness.StartAsync();
        await h.InsertWhopAsync("a", "mem_Alpha01", null, "bi_ApiCalls01", null, null, "5", BillingHarness.Earlier(1));
        await h.InsertWhopAsync("bad", null, null, "bi_ApiCalls01", null, null, "5", BillingHarness.Earlier(1));

        var summary = await h.Run(BillingHarness.Job(ProviderKind.Whop), h.Account(ProviderKind.Whop), options: new RunOptions(DryRun: true))
            .ExecuteAsync(DateTimeOffset.UtcNow, CancellationToken.None);

        var planned = Assert.Single(summary.Planned);
        Assert.Equal("send", planned.Decision);
        Assert.Equal(5m, planned.Total);
        Assert.Equal(1, summary.RowsRejectedByValidation);
        Assert.All(await h.RowsAsync(Tables.Whop), r => Assert.Equal("pending", r.BillingStatus));
        Assert.Equal(0L, await h.ScalarAsync<long>("SELECT COUNT(*) FROM ub_run"));
        Assert.Empty((await h.ProviderLedgerAsync()).Whop);
    }

    [Fact]
    public async Task Run_BilledRowSetBackToPending_IsHeldNotBilledAgain()
    {
        await using var h = await BillingHarness.StartAsync();
        await h.InsertWhopAsync("a", "mem_Alpha01", null, "bi_ApiCalls01", null, null, "5", BillingHarness.Earlier(1));
        var job = BillingHarness.Job(ProviderKind.Whop);
        await h.Run(job, h.Account(ProviderKind.Whop)).ExecuteAsync(DateTimeOffset.UtcNow, CancellationToken.None);
        await h.ScalarAsync<long>("UPDATE whop_usage SET billing_status = 'pending'");

        var summary = await h.Run(job, h.Account(ProviderKind.Whop)).ExecuteAsync(DateTimeOffset.UtcNow, CancellationToken.None);

        Assert.Equal(1, summary.RowsHeldRequeued);
        var row = Assert.Single(await h.RowsAsync(Tables.Whop));
        Assert.Equal("held", row.BillingStatus);
        Assert.Contains("requeue --table whop_usage --row", row.BillingError, StringComparison.Ordinal);
        Assert.Single((await h.ProviderLedgerAsync()).Whop);
    }

    [Fact]
    public async Task Run_JobAlreadyRunningElsewhere_ExitsFourAndTouchesNothing()
    {
        await using var h = await BillingHarness.StartAsync();
        await h.InsertWhopAsync("a", "mem_Alpha01", null, "bi_ApiCalls01", null, null, "5", BillingHarness.Earlier(1));
        var job = BillingHarness.Job(ProviderKind.Whop);
        Assert.True(await h.Store.TryAcquireJobLockAsync(job.Name, 999, TimeSpan.FromMinutes(5), CancellationToken.None));

        var summary = await h.Run(job, h.Account(ProviderKind.Whop)).ExecuteAsync(DateTimeOffset.UtcNow, CancellationToken.None);

        Assert.Equal(ExitCodes.AlreadyRunning, summary.ExitCode);
        Assert.Contains("already running: run 999", summary.Message, StringComparison.Ordinal);
        Assert.Equal("pending", Assert.Single(await h.RowsAsync(Tables.Whop)).BillingStatus);
    }
}
