using UsageBatch.Billing;
using UsageBatch.Providers;
using UsageBatch.Storage;
using UsageBatch.Storage.Sqlite;
using UsageBatch.Tests.TestSupport;
using UsageBatch.Usage;

namespace UsageBatch.Tests.Billing;

public sealed class PrepareInterruptedTests
{
    // SQL Server's plan commits each batch of 3 before the last fails (9 rows claimed); SQLite's pass claims all 10
    // in one transaction and dies deciding them. Either way the ledger row is left 'preparing' and nothing was sent.
    [Theory]
    [InlineData("GroupBatches", 9L)]
    [InlineData("Passes", 10L)]
    public async Task Claim_DiesBeforePrepareCommits_NextRunVoidsItAndBillsTheRowsOnce(string plan, long claimedWhenKilled)
    {
        await using var h = await BillingHarness.StartAsync(plan: Enum.Parse<SqlitePlan>(plan));
        for (var i = 0; i < 10; i++)
        {
            await h.InsertChargebeeAsync($"r{i}", "sub_Acme", "api-calls-USD-monthly", "1.5", BillingHarness.Earlier(i));
        }

        // A run that claims the group in batches of 3 and dies before its last claim transaction commits.
        var now = DateTimeOffset.UtcNow;
        var job = BillingHarness.Job(ProviderKind.Chargebee);
        var runId = await h.Store.StartRunAsync(new RunRecord(job.Name, job.Provider, Tables.Chargebee.Name, false, now, now.AddHours(-1), now, TimeSpan.FromMinutes(5), "test", 1), CancellationToken.None);
        var group = Assert.Single(await h.Store.ListPendingGroupsAsync(Tables.Chargebee, now.AddHours(-1), "day", CancellationToken.None));
        var request = new ClaimRequest(runId, job.Name, job.Provider, Tables.Chargebee, group, now.AddHours(-1), 3,
            new ValidationRules(2, 2, now.AddYears(-1)), "ubtest-", now);
        await Assert.ThrowsAsync<InvalidOperationException>(() => h.Store.ClaimGroupAsync(request, (_, _) => throw new InvalidOperationException("killed"), CancellationToken.None));
        Assert.Equal("preparing", await h.ScalarAsync<string>("SELECT status FROM ub_submission"));
        Assert.Equal(claimedWhenKilled, await h.ScalarAsync<long>("SELECT COUNT(*) FROM chargebee_usage WHERE billing_status = 'claimed'"));

        var later = h.PassTime(TimeSpan.FromMinutes(6));
        var summary = await h.Run(job, h.Account(ProviderKind.Chargebee), later).ExecuteAsync(later.GetUtcNow(), CancellationToken.None);

        Assert.Equal(ExitCodes.Ok, summary.ExitCode);
        Assert.Equal(1, summary.Voided);
        Assert.Equal(15m, Assert.Single((await h.ProviderLedgerAsync()).Chargebee).Value);
        Assert.All(await h.RowsAsync(Tables.Chargebee), r => Assert.Equal("billed", r.BillingStatus));
    }

    [Fact]
    public async Task Run_DatabaseFailsOnceMidRun_AbortsReleasesClaimsAndRejectsNothing()
    {
        await using var h = await BillingHarness.StartAsync();
        await h.InsertWhopAsync("a", "mem_Alpha01", null, "bi_ApiCalls01", null, null, "5", BillingHarness.Earlier(1));
        await h.InsertWhopAsync("b", "mem_Bravo02", null, "bi_ApiCalls01", null, null, "6", BillingHarness.Earlier(1));
        var flaky = new CrashingStore(h.Store, nameof(IBillingStore.MarkSentAsync), occurrence: 1, once: true);
        var account = h.Account(ProviderKind.Whop);
        account.MaxInFlight = 1;

        var summary = await h.Run(BillingHarness.Job(ProviderKind.Whop), account, store: flaky).ExecuteAsync(DateTimeOffset.UtcNow, CancellationToken.None);

        Assert.Equal(ExitCodes.Aborted, summary.ExitCode);
        Assert.All(await h.RowsAsync(Tables.Whop), r => Assert.Equal("pending", r.BillingStatus));
        Assert.Empty((await h.ProviderLedgerAsync()).Whop);
        Assert.Equal(0L, await h.ScalarAsync<long>("SELECT COUNT(*) FROM ub_submission WHERE settled_at IS NULL"));
    }
}
