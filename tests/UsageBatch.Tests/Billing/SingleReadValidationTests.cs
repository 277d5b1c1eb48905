using UsageBatch.Providers;
using UsageBatch.Storage;
using UsageBatch.Tests.TestSupport;

namespace UsageBatch.Tests.Billing;

/// <summary>
/// Each pending row is read and checked once: the claim checks every row a group reaches, and only the rows no group
/// reaches (no customer, dated after the cutoff) are read again afterwards. Bad rows end exactly as before: rejected
/// with their reasons, no ledger row for a group that had nothing else, every row accounted for.
/// </summary>
public sealed class SingleReadValidationTests
{
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Run_ChecksEachRowOnce_AndRejectsEveryBadRowWithItsReason(bool groupBatches)
    {
        await using var h = await BillingHarness.StartAsync(plan: groupBatches ? UsageBatch.Storage.Sqlite.SqlitePlan.GroupBatches : UsageBatch.Storage.Sqlite.SqlitePlan.Passes);
        for (var i = 0; i < 6; i++)
        {
            await h.InsertWhopAsync($"ok{i}", "mem_Alpha01", null, "bi_ApiCalls01", null, null, $"{i + 1}", BillingHarness.Earlier(i));
        }

        // Reached by a group: a bad value beside good rows, and a group of nothing but a bad value.
        await h.InsertWhopAsync("bad-amount", "mem_Alpha01", null, "bi_ApiCalls01", null, "12,50", null, BillingHarness.Earlier(10));
        await h.InsertWhopAsync("lone-bad-amount", "mem_Bravo02", null, "bi_ApiCalls01", null, "1.005", null, BillingHarness.Earlier(11));
        // Reached by no group: no customer, and a bad row dated after the cutoff.
        await h.InsertWhopAsync("no-customer", null, null, "bi_ApiCalls01", null, null, "1", BillingHarness.Earlier(12));
        await h.InsertWhopAsync("future-bad", "mem_Alpha01", null, "bi_ApiCalls01", null, null, "1e5", BillingHarness.At(DateTimeOffset.UtcNow.AddHours(1)));
        var store = new CrashingStore(h.Store, crashAtMethod: "");

        var summary = await h.Run(BillingHarness.Job(ProviderKind.Whop), h.Account(ProviderKind.Whop), store: store).ExecuteAsync(DateTimeOffset.UtcNow, CancellationToken.None);

        Assert.Equal(2, store.PendingRowsRead); // only what the claim never reached
        Assert.Equal((10, 4, 1), (summary.RowsValidated, summary.RowsRejectedByValidation, summary.Confirmed));
        var rows = (await h.RowsAsync(Tables.Whop)).ToDictionary(r => r.SourceKey);
        Assert.All(Enumerable.Range(0, 6), i => Assert.Equal("billed", rows[$"ok{i}"].BillingStatus));
        Assert.Contains("'12,50' is not a plain decimal", rows["bad-amount"].BillingError, StringComparison.Ordinal);
        Assert.Contains("3 decimals", rows["lone-bad-amount"].BillingError, StringComparison.Ordinal);
        Assert.Contains("neither company_id nor membership_id", rows["no-customer"].BillingError, StringComparison.Ordinal);
        Assert.Contains("'1e5' is not a plain decimal", rows["future-bad"].BillingError, StringComparison.Ordinal);
        Assert.All(new[] { "bad-amount", "lone-bad-amount", "no-customer", "future-bad" }, k =>
        {
            Assert.Equal("rejected", rows[k].BillingStatus);
            Assert.Null(rows[k].BillingSubmissionId);
        });
        // One ledger row: the good group's. The all-bad group left none; every rejection has its row exception.
        Assert.Equal(1L, await h.ScalarAsync<long>("SELECT COUNT(*) FROM ub_submission"));
        Assert.Equal(4L, await h.ScalarAsync<long>("SELECT COUNT(*) FROM ub_row_exception WHERE kind = 'rejected' AND submission_id IS NULL"));
    }
}
