using Dapper;
using UsageBatch.Billing;
using UsageBatch.Providers;
using UsageBatch.Storage;
using UsageBatch.Storage.Sqlite;
using UsageBatch.Tests.TestSupport;

namespace UsageBatch.Tests.Billing;

/// <summary>
/// The SQLite store claims and settles a run in id-ordered passes instead of SQL Server's per-group batches. These
/// prove both plans reach the same database outcome, and that a kill at each boundary of a run still converges
/// (I1-I4) on the next run, whichever plan the store follows.
/// </summary>
public sealed class BulkPathTests
{
    public static TheoryData<string, string, int> CrashPoints()
    {
        var data = new TheoryData<string, string, int>();
        foreach (var plan in new[] { "Passes", "GroupBatches" })
        {
            foreach (var provider in new[] { "whop", "chargebee" })
            {
                data.Add(plan + ":" + provider, nameof(IBillingStore.ClaimGroupsAsync), 1);     // before the claim
                data.Add(plan + ":" + provider, nameof(IBillingStore.SubmissionsOfRunAsync), 1); // claim committed, reading what to send
                data.Add(plan + ":" + provider, nameof(IBillingStore.MarkSentAsync), 2);         // one sent and confirmed, its rows not settled
                data.Add(plan + ":" + provider, nameof(IBillingStore.RecordOutcomeAsync), 1);    // the provider recorded it, the ledger does not know
                data.Add(plan + ":" + provider, nameof(IBillingStore.SettleConfirmedAsync), 1);  // every outcome recorded, no row settled
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(CrashPoints))]
    public async Task Run_KilledAtBoundary_NextRunConverges(string planAndProvider, string crashAt, int occurrence)
    {
        var (plan, providerName) = (Enum.Parse<SqlitePlan>(planAndProvider.Split(':')[0]), planAndProvider.Split(':')[1]);
        var kind = providerName == "whop" ? ProviderKind.Whop : ProviderKind.Chargebee;
        await using var h = await BillingHarness.StartAsync(plan: plan);
        var expected = await CrashRecoveryTests.SeedAsync(h, kind);
        var job = BillingHarness.Job(kind);
        var account = h.Account(kind);
        var crashing = new CrashingStore(h.Store, crashAt, occurrence);

        await h.Run(job, account, store: crashing).ExecuteAsync(DateTimeOffset.UtcNow, CancellationToken.None);
        Assert.True(crashing.Crashed);

        var later = h.PassTime(job.LeaseDuration + TimeSpan.FromMinutes(1));
        var recovery = await h.Run(job, account, later).ExecuteAsync(later.GetUtcNow(), CancellationToken.None);

        Assert.True(recovery.ExitCode == ExitCodes.Ok, System.Text.Json.JsonSerializer.Serialize(recovery));
        await CrashRecoveryTests.AssertConvergedAsync(h, kind, expected);
    }

    [Theory]
    [InlineData("whop")]
    [InlineData("chargebee")]
    public async Task Passes_SameOutcomeAsGroupBatches(string providerName)
    {
        var kind = providerName == "whop" ? ProviderKind.Whop : ProviderKind.Chargebee;
        await using var bulk = await BillingHarness.StartAsync();
        await using var perGroup = await BillingHarness.StartAsync(plan: SqlitePlan.GroupBatches);
        foreach (var h in new[] { bulk, perGroup })
        {
            await SeedMixedAsync(h, kind);
        }

        var job = BillingHarness.Job(kind);
        var now = DateTimeOffset.UtcNow;
        var bulkSummary = await bulk.Run(job, bulk.Account(kind)).ExecuteAsync(now, CancellationToken.None);
        // A decorator around the store changes nothing: the plan is the dialect's, never chosen by a type test.
        var perGroupSummary = await perGroup.Run(job, perGroup.Account(kind), store: new CrashingStore(perGroup.Store, "never"))
            .ExecuteAsync(now, CancellationToken.None);

        Assert.Equal(perGroupSummary.ExitCode, bulkSummary.ExitCode);
        Assert.Equal(
            (perGroupSummary.Groups, perGroupSummary.Confirmed, perGroupSummary.Zero, perGroupSummary.Rejected, perGroupSummary.RowsBilled, perGroupSummary.BilledTotal, perGroupSummary.RowsRejectedByValidation),
            (bulkSummary.Groups, bulkSummary.Confirmed, bulkSummary.Zero, bulkSummary.Rejected, bulkSummary.RowsBilled, bulkSummary.BilledTotal, bulkSummary.RowsRejectedByValidation));
        Assert.Equal(await LedgerAsync(perGroup), await LedgerAsync(bulk));
        Assert.Equal(await RowStatesAsync(perGroup, kind), await RowStatesAsync(bulk, kind));
        var (bulkWhop, bulkChargebee) = await bulk.ProviderLedgerAsync();
        var (groupWhop, groupChargebee) = await perGroup.ProviderLedgerAsync();
        Assert.Equal(groupWhop.Count + groupChargebee.Count, bulkWhop.Count + bulkChargebee.Count);
    }

    /// <summary>Interleaved groups (as a DBA inserts by time), a zero net, a negative net and a row validation rejects.</summary>
    private static async Task SeedMixedAsync(BillingHarness h, ProviderKind kind)
    {
        string[] customers = kind == ProviderKind.Whop ? ["mem_Alpha01", "mem_Bravo02", "mem_Charlie03"] : ["sub_Acme", "sub_Globex", "sub_Initech"];
        var item = kind == ProviderKind.Whop ? "bi_ApiCalls01" : "api-calls-USD-monthly";
        var n = 0;
        for (var i = 0; i < 5; i++)
        {
            foreach (var customer in customers)
            {
                // mem_Charlie03 / sub_Initech nets to zero; the rest are positive.
                var value = customer.EndsWith('3') || customer == "sub_Initech" ? (i % 2 == 0 ? "2" : "-2") : $"{i + 1}.5";
                if (i == 4 && (customer.EndsWith('3') || customer == "sub_Initech"))
                {
                    value = "0";
                }

                await InsertAsync(h, kind, $"r{n}", customer, item, value, BillingHarness.Earlier(n));
                n++;
            }
        }

        // A negative group (rejected, no call) and a row that can never be billed (rejected by validation).
        var other = kind == ProviderKind.Whop ? "bi_StorageGb02" : "storage-USD-monthly";
        await InsertAsync(h, kind, "neg1", customers[0], other, "-3", BillingHarness.Earlier(100));
        await InsertAsync(h, kind, "neg2", customers[0], other, "1", BillingHarness.Earlier(101));
        await InsertAsync(h, kind, "bad", customers[1], item, "1,5", BillingHarness.Earlier(102));
    }

    private static Task InsertAsync(BillingHarness h, ProviderKind kind, string key, string customer, string item, string value, string at) =>
        kind == ProviderKind.Whop
            ? h.InsertWhopAsync(key, customer, null, item, null, null, value, at)
            : h.InsertChargebeeAsync(key, customer, item, value, at);

    private static async Task<List<string>> LedgerAsync(BillingHarness h)
    {
        await using var connection = await h.Database.OpenAsync(CancellationToken.None);
        return (await connection.QueryAsync<(long Id, string CustomerId, string ItemId, string ValueField, string Status, long RowCount, string Total, string RowIds, string? UsageDate, bool Settled)>(
                "SELECT id, customer_id, item_id, value_field, status, row_count, total, row_ids, usage_date, settled_at IS NOT NULL FROM ub_submission ORDER BY id"))
            .Select(s => s.ToString()).ToList();
    }

    private static async Task<List<string>> RowStatesAsync(BillingHarness h, ProviderKind kind) =>
        (await h.RowsAsync(kind.Table()))
            .Select(r => $"{r.SourceKey} {r.BillingStatus} {r.BillingSubmissionId} {r.BillingError} {r.ProviderUsageId is not null}").ToList();
}
