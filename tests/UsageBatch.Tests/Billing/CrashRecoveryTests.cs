using UsageBatch.Billing;
using UsageBatch.Providers;
using UsageBatch.Storage;
using UsageBatch.Tests.TestSupport;

namespace UsageBatch.Tests.Billing;

/// <summary>
/// I4: a run killed at each phase boundary leaves a state the next run (after the dead run's lease expires) finishes
/// with every good row billed exactly once (I1), nothing left claimed (I2) and provider totals equal to row totals (I3).
/// </summary>
public sealed class CrashRecoveryTests
{
    public static TheoryData<string, string, int> CrashPoints()
    {
        var data = new TheoryData<string, string, int>();
        foreach (var provider in new[] { "whop", "chargebee" })
        {
            data.Add(provider, nameof(IBillingStore.ListPendingGroupsAsync), 1);  // validated, nothing claimed
            data.Add(provider, nameof(IBillingStore.MarkSentAsync), 1);           // after prepare, before any send
            data.Add(provider, nameof(IBillingStore.RecordOutcomeAsync), 1);      // after the provider recorded it, before the ledger knew
            data.Add(provider, nameof(IBillingStore.RecordOutcomeAsync), 2);      // one outcome recorded, the next not
            data.Add(provider, nameof(IBillingStore.SettleConfirmedAsync), 1);    // outcomes recorded, rows not settled
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(CrashPoints))]
    public async Task Run_KilledAtPhaseBoundary_NextRunConverges(string providerName, string crashAt, int occurrence)
    {
        var kind = providerName == "whop" ? ProviderKind.Whop : ProviderKind.Chargebee;
        await using var h = await BillingHarness.StartAsync();
        var expected = await SeedAsync(h, kind);
        var job = BillingHarness.Job(kind);
        var account = h.Account(kind);
        var crashing = new CrashingStore(h.Store, crashAt, occurrence);

        await h.Run(job, account, store: crashing).ExecuteAsync(DateTimeOffset.UtcNow, CancellationToken.None);
        Assert.True(crashing.Crashed);

        // The next run starts after the dead run's lease has expired.
        var later = h.PassTime(job.LeaseDuration + TimeSpan.FromMinutes(1));
        var recovery = await h.Run(job, account, later).ExecuteAsync(later.GetUtcNow(), CancellationToken.None);

        Assert.True(recovery.ExitCode == ExitCodes.Ok, System.Text.Json.JsonSerializer.Serialize(recovery));
        await AssertConvergedAsync(h, kind, expected);
    }

    internal static async Task<Dictionary<(string, string), decimal>> SeedAsync(BillingHarness h, ProviderKind kind)
    {
        var expected = new Dictionary<(string, string), decimal>();
        string[] customers = kind == ProviderKind.Whop ? ["mem_Alpha01", "mem_Bravo02", "mem_Charlie03"] : ["sub_Acme", "sub_Globex", "sub_Initech"];
        var item = kind == ProviderKind.Whop ? "bi_ApiCalls01" : "api-calls-USD-monthly";
        var n = 0;
        foreach (var customer in customers)
        {
            for (var i = 0; i < 7; i++, n++)
            {
                var value = $"{i + 1}.25";
                if (kind == ProviderKind.Whop)
                {
                    await h.InsertWhopAsync($"r{n}", customer, null, item, null, null, value, BillingHarness.Earlier(n));
                }
                else
                {
                    await h.InsertChargebeeAsync($"r{n}", customer, item, value, BillingHarness.Earlier(n));
                }

                expected[(customer, item)] = expected.GetValueOrDefault((customer, item)) + decimal.Parse(value, System.Globalization.CultureInfo.InvariantCulture);
            }
        }

        return expected;
    }

    internal static async Task AssertConvergedAsync(BillingHarness h, ProviderKind kind, Dictionary<(string, string), decimal> expected)
    {
        var table = kind.Table();
        var rows = await h.RowsAsync(table);
        Assert.All(rows, r => Assert.Equal("billed", r.BillingStatus));
        var (whop, chargebee) = await h.ProviderLedgerAsync();
        var usages = kind == ProviderKind.Whop ? whop : chargebee;
        // I1: one provider usage per group, never two.
        Assert.Equal(expected.Count, usages.Count);
        foreach (var ((customer, item), total) in expected)
        {
            var usage = Assert.Single(usages, u => u.Customer == customer && u.Item == item);
            Assert.Equal(total, usage.Value);
        }

        // Every row carries the id of the one usage that covered it, and the provider's totals equal the rows'.
        var byUsage = rows.GroupBy(r => r.ProviderUsageId!).ToDictionary(g => g.Key, g => g.Sum(r => decimal.Parse(r.Value!, System.Globalization.CultureInfo.InvariantCulture)));
        Assert.Equal(usages.Count, byUsage.Count);
        foreach (var usage in usages)
        {
            Assert.Equal(usage.Value, byUsage[usage.Id]);
        }
    }
}
