using System.Net.Http.Json;
using Microsoft.Extensions.Logging.Abstractions;
using UsageBatch.Billing;
using UsageBatch.Providers;
using UsageBatch.Storage;
using UsageBatch.Tests.TestSupport;

namespace UsageBatch.Tests.Billing;

/// <summary>The error classes, end to end through a run: what each class does to the rows.</summary>
public sealed class FailureHandlingTests
{
    [Fact]
    public async Task Run_WrongApiKey_AbortsReleasesClaimsAndRejectsNothing()
    {
        await using var h = await BillingHarness.StartAsync();
        await h.InsertChargebeeAsync("a", "sub_Acme", "api-calls-USD-monthly", "2", BillingHarness.Earlier(1));
        await h.InsertChargebeeAsync("b", "sub_Globex", "api-calls-USD-monthly", "3", BillingHarness.Earlier(1));
        var account = h.Account(ProviderKind.Chargebee);
        var provider = ProviderClientFactory.Create("chargebee", account, "wrong_key", TimeProvider.System, NullLoggerFactory.Instance);
        var run = new BillingRun(h.Store, provider, BillingHarness.Job(ProviderKind.Chargebee), account, TimeProvider.System, NullLogger.Instance, new RunOptions());

        var summary = await run.ExecuteAsync(DateTimeOffset.UtcNow, CancellationToken.None);

        Assert.Equal(ExitCodes.Aborted, summary.ExitCode);
        Assert.All(await h.RowsAsync(Tables.Chargebee), r => Assert.Equal("pending", r.BillingStatus));
        Assert.Equal(0L, await h.ScalarAsync<long>("SELECT COUNT(*) FROM ub_submission WHERE settled_at IS NULL"));
    }

    [Fact]
    public async Task Run_FirstSendsAllFailWithTheSamePermanentError_AbortsAndRejectsNothing()
    {
        await using var h = await BillingHarness.StartAsync();
        for (var i = 1; i <= 6; i++)
        {
            await h.InsertWhopAsync($"r{i}", $"mem_Nobody0{i}", null, "bi_ApiCalls01", null, null, "1", BillingHarness.Earlier(i));
        }

        var summary = await h.Run(BillingHarness.Job(ProviderKind.Whop), h.Account(ProviderKind.Whop)).ExecuteAsync(DateTimeOffset.UtcNow, CancellationToken.None);

        Assert.Equal(ExitCodes.Aborted, summary.ExitCode);
        Assert.Contains("same error", summary.Message, StringComparison.Ordinal);
        Assert.All(await h.RowsAsync(Tables.Whop), r => Assert.Equal("pending", r.BillingStatus));
    }

    [Fact]
    public async Task Run_ProviderUnreachable_ReleasesRowsToPendingWithAttemptCounted()
    {
        await using var h = await BillingHarness.StartAsync();
        await h.InsertChargebeeAsync("a", "sub_Acme", "api-calls-USD-monthly", "2", BillingHarness.Earlier(1));
        var account = h.Account(ProviderKind.Chargebee);
        account.BaseUrl = "http://127.0.0.1:9/api/v2"; // discard port: connection refused, nothing written
        account.MaxAttempts = 2;

        var summary = await h.Run(BillingHarness.Job(ProviderKind.Chargebee), account).ExecuteAsync(DateTimeOffset.UtcNow, CancellationToken.None);

        Assert.Equal(ExitCodes.Attention, summary.ExitCode);
        Assert.Equal(1, summary.Released);
        Assert.Equal("pending", Assert.Single(await h.RowsAsync(Tables.Chargebee)).BillingStatus);
        Assert.Equal(1L, await h.ScalarAsync<long>("SELECT billing_attempts FROM chargebee_usage"));
    }

    [Fact]
    public async Task Run_WhopConnectionDroppedAfterCommit_ResolvesByListingAndNeverCreatesASecondUsage()
    {
        await using var h = await BillingHarness.StartAsync();
        await h.InsertWhopAsync("a", "mem_Alpha01", null, "bi_ApiCalls01", null, null, "4", BillingHarness.Earlier(1));
        await h.AddFaultAsync(new { method = "POST", pathPrefix = "/api/v5/app/billing_usages", count = 1, action = "drop-after-commit" });

        var summary = await h.Run(BillingHarness.Job(ProviderKind.Whop), h.Account(ProviderKind.Whop)).ExecuteAsync(DateTimeOffset.UtcNow, CancellationToken.None);

        Assert.Equal(ExitCodes.Ok, summary.ExitCode);
        var usage = Assert.Single((await h.ProviderLedgerAsync()).Whop);
        Assert.Equal(usage.Id, Assert.Single(await h.RowsAsync(Tables.Whop)).ProviderUsageId);
    }

    [Fact]
    public async Task Run_ChargebeeConnectionDroppedAfterCommit_ConvergesOnTheSameId()
    {
        await using var h = await BillingHarness.StartAsync();
        await h.InsertChargebeeAsync("a", "sub_Acme", "api-calls-USD-monthly", "2", BillingHarness.Earlier(1));
        await h.AddFaultAsync(new { method = "POST", pathPrefix = "/api/v2/subscriptions", count = 1, action = "drop-after-commit" });

        var summary = await h.Run(BillingHarness.Job(ProviderKind.Chargebee), h.Account(ProviderKind.Chargebee)).ExecuteAsync(DateTimeOffset.UtcNow, CancellationToken.None);

        Assert.Equal(ExitCodes.Ok, summary.ExitCode);
        var usage = Assert.Single((await h.ProviderLedgerAsync()).Chargebee);
        Assert.Equal(usage.Id, Assert.Single(await h.RowsAsync(Tables.Chargebee)).ProviderUsageId);
    }

    [Fact]
    public async Task Run_ChargebeeUsageDateTakenElsewhere_MovesBackASecondAndBills()
    {
        await using var h = await BillingHarness.StartAsync();
        var at = DateTimeOffset.UtcNow.AddHours(-2);
        at = new DateTimeOffset(at.Year, at.Month, at.Day, at.Hour, at.Minute, at.Second, TimeSpan.Zero);
        await h.InsertChargebeeAsync("a", "sub_Acme", "api-calls-USD-monthly", "2", BillingHarness.At(at));
        using (var http = new HttpClient())
        {
            // A usage made behind our back at exactly the second our group would use.
            using var response = await http.PostAsync(new Uri(h.Emulator.BaseAddress, "_emulator/chargebee/usages"), new FormUrlEncodedContent(new Dictionary<string, string>
            {
                ["subscription_id"] = "sub_Acme", ["item_price_id"] = "api-calls-USD-monthly", ["quantity"] = "9", ["usage_date"] = at.ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture),
            }));
            response.EnsureSuccessStatusCode();
        }

        var summary = await h.Run(BillingHarness.Job(ProviderKind.Chargebee), h.Account(ProviderKind.Chargebee)).ExecuteAsync(DateTimeOffset.UtcNow, CancellationToken.None);

        Assert.Equal(ExitCodes.Ok, summary.ExitCode);
        Assert.Equal(2, (await h.ProviderLedgerAsync()).Chargebee.Count);
        var usageDate = await h.ScalarAsync<string>("SELECT usage_date FROM ub_submission");
        Assert.Equal(UsageBatch.Usage.UtcText.Format(at.AddSeconds(-1)), usageDate);
        Assert.Equal(1L, await h.ScalarAsync<long>("SELECT COUNT(*) FROM ub_submission_event WHERE event = 'date_moved'"));
    }

    [Fact]
    public async Task Run_ChargebeeGroupsInOneBucket_GetDistinctUsageDates()
    {
        await using var h = await BillingHarness.StartAsync();
        await h.InsertChargebeeAsync("a", "sub_Acme", "api-calls-USD-monthly", "2", BillingHarness.Earlier(10));
        var job = BillingHarness.Job(ProviderKind.Chargebee);
        await h.Run(job, h.Account(ProviderKind.Chargebee)).ExecuteAsync(DateTimeOffset.UtcNow, CancellationToken.None);
        // Late usage for the same day and the same last second arrives after the bucket was billed.
        await h.InsertChargebeeAsync("late", "sub_Acme", "api-calls-USD-monthly", "5", BillingHarness.Earlier(10));

        var summary = await h.Run(job, h.Account(ProviderKind.Chargebee)).ExecuteAsync(DateTimeOffset.UtcNow, CancellationToken.None);

        Assert.Equal(ExitCodes.Ok, summary.ExitCode);
        var usages = (await h.ProviderLedgerAsync()).Chargebee;
        Assert.Equal([2m, 5m], usages.Select(u => u.Value).Order());
        var dates = (await h.ScalarAsync<string>("SELECT group_concat(usage_date, '|') FROM ub_submission")).Split('|');
        Assert.Equal(2, dates.Distinct().Count());
    }

    [Fact]
    public async Task Run_SubscriptionAtUsageCap_IsHeld()
    {
        await using var h = await BillingHarness.StartAsync();
        await h.InsertChargebeeAsync("a", "sub_Acme", "api-calls-USD-monthly", "2", BillingHarness.Earlier(1));
        await h.InsertChargebeeAsync("b", "sub_Acme", "api-calls-USD-monthly", "2", BillingHarness.At(DateTimeOffset.UtcNow.AddDays(-1).AddHours(-2)));
        var account = h.Account(ProviderKind.Chargebee);
        account.UsageCap = 1;

        var summary = await h.Run(BillingHarness.Job(ProviderKind.Chargebee), account).ExecuteAsync(DateTimeOffset.UtcNow, CancellationToken.None);

        Assert.Equal(1, summary.Confirmed);
        Assert.Equal(1, summary.Held);
        Assert.Contains("cap", (await h.RowsAsync(Tables.Chargebee)).Single(r => r.BillingStatus == "held").BillingError, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_LeaseRenewedDuringLongSends_IsNeverRecoveredByAnotherRun()
    {
        await using var h = await BillingHarness.StartAsync();
        (string Sub, string Price)[] groups =
        [
            ("sub_Acme", "api-calls-USD-monthly"), ("sub_Acme", "storage-USD-monthly"), ("sub_Globex", "api-calls-USD-monthly"),
            ("sub_Globex", "storage-USD-monthly"), ("sub_Initech", "api-calls-USD-monthly"),
        ];
        foreach (var (sub, price) in groups)
        {
            await h.InsertChargebeeAsync(sub + price, sub, price, "1", BillingHarness.Earlier(1));
        }

        await h.AddFaultAsync(new { method = "POST", pathPrefix = "/api/v2/subscriptions", count = 5, action = "delay", delayMs = 1500 });
        var job = BillingHarness.Job(ProviderKind.Chargebee);
        job.LeaseDuration = TimeSpan.FromSeconds(6); // renewed every 1.2 s; the five sends take ~7.5 s in all
        var account = h.Account(ProviderKind.Chargebee);
        account.MaxInFlight = 1;
        account.Timeout = TimeSpan.FromSeconds(1.9);

        var first = Task.Run(() => h.Run(job, account, options: new RunOptions(UseRunGuard: false)).ExecuteAsync(DateTimeOffset.UtcNow, CancellationToken.None));
        await Task.Delay(TimeSpan.FromSeconds(6.5)); // past the first run's original lease, while it still sends
        var second = await h.Run(job, account, options: new RunOptions(UseRunGuard: false)).ExecuteAsync(DateTimeOffset.UtcNow, CancellationToken.None);
        var firstSummary = await first;

        Assert.Equal(0, second.Recovered);
        Assert.Equal(ExitCodes.Ok, firstSummary.ExitCode);
        Assert.Equal(5, firstSummary.Confirmed);
        Assert.Equal(5, (await h.ProviderLedgerAsync()).Chargebee.Count);
    }
}
