using UsageBatch.Billing;
using UsageBatch.Providers;
using UsageBatch.Storage;
using UsageBatch.Tests.TestSupport;

namespace UsageBatch.Tests.Billing;

/// <summary>I7: runs racing on one table never double-bill, even with the run guard off; claims alone keep them apart.</summary>
public sealed class ConcurrentRunTests
{
    [Theory]
    [InlineData("whop", 2)]
    [InlineData("chargebee", 2)]
    [InlineData("chargebee", 4)]
    public async Task Runs_StartedTogetherWithoutGuard_NeverDoubleBill(string providerName, int runs)
    {
        var kind = providerName == "whop" ? ProviderKind.Whop : ProviderKind.Chargebee;
        await using var h = await BillingHarness.StartAsync();
        string[] customers = kind == ProviderKind.Whop ? ["mem_Alpha01", "mem_Bravo02", "mem_Charlie03"] : ["sub_Acme", "sub_Globex", "sub_Initech"];
        var item = kind == ProviderKind.Whop ? "bi_ApiCalls01" : "api-calls-USD-monthly";
        var total = 0m;
        for (var n = 0; n < 90; n++)
        {
            if (kind == ProviderKind.Whop)
            {
                await h.InsertWhopAsync($"r{n}", customers[n % 3], null, item, null, null, "1.5", BillingHarness.Earlier(n));
            }
            else
            {
                await h.InsertChargebeeAsync($"r{n}", customers[n % 3], item, "1.5", BillingHarness.Earlier(n));
            }

            total += 1.5m;
        }

        var job = BillingHarness.Job(kind);
        job.BatchSize = 7; // several claim transactions per group, so the runs interleave inside groups
        var tasks = Enumerable.Range(0, runs).Select(_ => Task.Run(() =>
            h.Run(job, h.Account(kind), options: new RunOptions(UseRunGuard: false)).ExecuteAsync(DateTimeOffset.UtcNow, CancellationToken.None)));
        var summaries = await Task.WhenAll(tasks);

        Assert.All(summaries, s => Assert.True(s.ExitCode is ExitCodes.Ok, $"run {s.RunId}: {s.Outcome} {s.Message}"));
        var rows = await h.RowsAsync(kind.Table());
        Assert.All(rows, r => Assert.Equal("billed", r.BillingStatus));
        var (whop, chargebee) = await h.ProviderLedgerAsync();
        var usages = kind == ProviderKind.Whop ? whop : chargebee;
        Assert.Equal(total, usages.Sum(u => u.Value));
        Assert.Equal(usages.Count, rows.Select(r => r.ProviderUsageId).Distinct().Count());
        Assert.Equal(usages.Count, summaries.Sum(s => s.Confirmed));
    }
}
