using UsageBatch.Billing;
using UsageBatch.Configuration;
using UsageBatch.OperatorConsole;
using UsageBatch.OperatorConsole.Jobs;
using UsageBatch.Storage;
using UsageBatch.Tests.Storage;
using UsageBatch.Tests.TestSupport;

namespace UsageBatch.Tests.OperatorConsole;

/// <summary>"No usage" and "the job stopped" must look different: the job check's two rules, on a fake clock.</summary>
public sealed class JobHealthTests
{
    private static readonly DateTimeOffset Start = new(2026, 1, 15, 3, 0, 0, TimeSpan.Zero);

    private static AppOptions Options(TimeSpan? maxPendingAge = null) => new()
    {
        Providers = { ["whop"] = new ProviderAccountOptions { Type = "whop" } },
        Jobs = { new JobOptions { Name = "nightly", Provider = "whop", Cron = "0 0 3 * * ?", MaxPendingAge = maxPendingAge } },
    };

    private static async Task FinishedRunAsync(IBillingStore store, DateTimeOffset at, string outcome = "succeeded")
    {
        var id = await store.StartRunAsync(new RunRecord("nightly", "whop", "whop_usage", false, at, at.AddHours(-1), at, TimeSpan.FromMinutes(5), "host", 1), CancellationToken.None);
        await store.FinishRunAsync(id, RunOutcomeText.Parse(outcome), 0, null, "{}", at.AddMinutes(1), CancellationToken.None);
    }

    private static Task<IReadOnlyList<JobStatus>> ReadAsync(IBillingStore store, AppOptions options, TimeProvider time) =>
        new JobStatusReader(new ConsoleContext(options, (BillingStore)store, null, time, null)).ReadAsync(CancellationToken.None);

    [Fact]
    public async Task Read_RunsThatFoundNoUsage_Healthy_ButNoCompletedRunPastTheWindow_Degraded()
    {
        await using var db = await SqliteStoreTestDatabase.CreateAsync();
        var clock = new ManualTimeProvider(Start.AddMinutes(2));
        await FinishedRunAsync(db.Store, Start);

        var ranWithNothingToBill = Assert.Single(await ReadAsync(db.Store, Options(), clock));
        clock.Advance(TimeSpan.FromHours(26) + TimeSpan.FromMinutes(5)); // a daily cron's window is 24 h + 2 h
        var stopped = Assert.Single(await ReadAsync(db.Store, Options(), clock));

        Assert.Equal((false, TimeSpan.FromHours(26)), (ranWithNothingToBill.Degraded, ranWithNothingToBill.HealthyWithin));
        Assert.True(stopped.Degraded);
        Assert.StartsWith("no completed run for 26 h", Assert.Single(stopped.Problems), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Read_AbortedRunsOnly_NeverCompletedIsDegraded()
    {
        await using var db = await SqliteStoreTestDatabase.CreateAsync();
        await FinishedRunAsync(db.Store, Start, "aborted");

        var job = Assert.Single(await ReadAsync(db.Store, Options(), new ManualTimeProvider(Start.AddMinutes(5))));

        Assert.Equal(["has never completed a run"], job.Problems);
    }

    [Fact]
    public async Task Read_PendingRowOlderThanMaxPendingAge_Degraded()
    {
        await using var db = await SqliteStoreTestDatabase.CreateAsync();
        await FinishedRunAsync(db.Store, Start);
        await db.InsertWhopAsync("old", "mem_A", null, "bi_X", null, null, "1", Start.AddHours(-30));

        var job = Assert.Single(await ReadAsync(db.Store, Options(maxPendingAge: TimeSpan.FromDays(1)), new ManualTimeProvider(Start.AddMinutes(5))));

        Assert.Equal((1L, Start.AddHours(-30)), (job.Counts.Pending, job.OldestPending));
        Assert.StartsWith("pending rows 30 h 5 min old (maxPendingAge 24 h 0 min)", Assert.Single(job.Problems), StringComparison.Ordinal);
    }

    [Fact]
    public void Counts_OneScanPerTableAndSettleCutoff_NotOnePerJob()
    {
        var options = new AppOptions
        {
            Providers = { ["whop"] = new ProviderAccountOptions { Type = "whop" }, ["cb"] = new ProviderAccountOptions { Type = "chargebee" } },
            Jobs =
            {
                new JobOptions { Name = "a", Provider = "whop", Cron = "0 0 3 * * ?" },
                new JobOptions { Name = "b", Provider = "whop", Cron = "0 0 4 * * ?" },
                new JobOptions { Name = "c", Provider = "whop", Cron = "0 0 5 * * ?", SettleDelay = TimeSpan.FromHours(6) },
                new JobOptions { Name = "d", Provider = "cb", Cron = "0 0 3 * * ?" },
            },
        };

        var keys = JobStatusReader.CountsToRead(options);

        Assert.Equal(3, keys.Count);
        Assert.Equal(2, keys.Count(k => k.Table == Tables.Whop));
    }

    [Fact]
    public async Task Read_UsageTableOlderThanExpectUsageWithin_IsDegraded_AFreshOneIsNot()
    {
        await using var db = await SqliteStoreTestDatabase.CreateAsync();
        var clock = new ManualTimeProvider(Start.AddMinutes(2));
        await FinishedRunAsync(db.Store, Start);
        await db.InsertWhopAsync("w", "mem_A", null, "bi_X", null, null, "1", Start.AddHours(-30));
        var options = Options();
        options.Jobs[0].ExpectUsageWithin = TimeSpan.FromDays(1);

        var stale = Assert.Single(await ReadAsync(db.Store, options, clock));
        options.Jobs[0].ExpectUsageWithin = TimeSpan.FromDays(2);
        var fresh = Assert.Single(await ReadAsync(db.Store, options, new ManualTimeProvider(Start.AddMinutes(3))));

        Assert.True(stale.Degraded);
        Assert.Equal("no new usage in whop_usage: its newest row is 30 h 2 min old (expectUsageWithin 24 h 0 min)", Assert.Single(stale.Problems));
        Assert.Equal(Start.AddHours(-30), stale.NewestUsage);
        Assert.False(fresh.Degraded);
    }
}
