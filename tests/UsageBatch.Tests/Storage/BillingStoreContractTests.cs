using UsageBatch.Billing;
using UsageBatch.Providers;
using UsageBatch.Reports;
using UsageBatch.Storage;
using UsageBatch.Storage.Sqlite;
using UsageBatch.Tests.TestSupport;
using UsageBatch.Usage;

namespace UsageBatch.Tests.Storage;

/// <summary>
/// The store contract, written once: every <see cref="IBillingStore"/> must pass it. Run per database by a sealed
/// subclass (SQLite always; SQL Server when USAGEBATCH_TEST_SQLSERVER is set, otherwise reported as skipped).
/// Both stores also implement <see cref="IReportStore"/> and <see cref="IRequeueStore"/>, held to their contract here too.
/// Times are fixed: "now" is 12:00 UTC, the cutoff 11:00, usage rows earlier that morning.
/// </summary>
public abstract class BillingStoreContractTests
{
    private static readonly DateTimeOffset Now = new(2026, 1, 15, 12, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset Cutoff = Now.AddHours(-1);
    private static readonly ValidationRules Rules = new(QuantityDecimals: 2, AmountDecimals: 2, OldestAccepted: Cutoff.AddDays(-365));
    private static readonly CancellationToken None = CancellationToken.None;

    private protected abstract Task<IStoreTestDatabase> CreateDatabaseAsync();

    private static DateTimeOffset At(int hour, int minute, int second = 0, int millisecond = 0) =>
        new DateTimeOffset(2026, 1, 15, hour, minute, second, TimeSpan.Zero).AddMilliseconds(millisecond);

    private static Task<long> StartRunAsync(IBillingStore store, DateTimeOffset now, string job = "job-a", string account = "acct") =>
        store.StartRunAsync(new RunRecord(job, account, "whop_usage", false, now, Cutoff, now, TimeSpan.FromMinutes(5), "test-host", 1), None);

    private static ClaimRequest Request(long runId, UsageTable table, PendingGroup group, int batchSize = 4000, DateTimeOffset? now = null) =>
        new(runId, "job-a", "acct", table, group, Cutoff, batchSize, Rules, "ubtest-", now ?? Now);

    private static GroupDecision Prepare(ClaimedGroup group, GroupFacts facts) => new(SubmissionStatus.Prepared, null, group.LastOccurredAt);

    private static readonly SubmissionTarget MemberItemQuantity = new("membership_id", "mem_A", "billing_item_id", "bi_X", "quantity");

    private async Task SeedWhopAsync(IStoreTestDatabase db)
    {
        await db.InsertWhopAsync("w1", "mem_A", null, "bi_X", null, null, "5", At(9, 0));
        await db.InsertWhopAsync("w2", "mem_A", null, "bi_X", null, null, "7", At(9, 10));
        await db.InsertWhopAsync("w3", "mem_A", null, "bi_X", null, "2.5", null, At(9, 20));
        await db.InsertWhopAsync("w4", null, "biz_B", null, "api-calls", null, "1", At(9, 30));
        await db.InsertWhopAsync("w5", "mem_A", null, null, "api-calls", null, "3", At(9, 40));
        await db.InsertWhopAsync("w6", "mem_A", null, "bi_X", null, null, "100", At(11, 30)); // after the cutoff
        await db.InsertWhopAsync("w7", "mem_A", null, "bi_X", null, null, "50", At(8, 0));
        await db.SetStatusAsync(Tables.Whop, (await db.RowsAsync(Tables.Whop)).Single(r => r.SourceKey == "w7").Id, "billed");
    }

    [StoreFact]
    public async Task ListPendingGroups_Whop_OneGroupPerCustomerItemAndKind()
    {
        await using var db = await CreateDatabaseAsync();
        await SeedWhopAsync(db);

        var groups = await db.Store.ListPendingGroupsAsync(Tables.Whop, Cutoff, "day", None);

        // The planning query gives the keys; what each group counts and sums is the claim's (see the claim tests).
        Assert.Equal(
            new[]
            {
                MemberItemQuantity, MemberItemQuantity with { ValueField = "amount" },
                new SubmissionTarget("company_id", "biz_B", "billing_item_identifier", "api-calls", "quantity"),
                new SubmissionTarget("membership_id", "mem_A", "billing_item_identifier", "api-calls", "quantity"),
            }.ToHashSet(),
            groups.Select(g => g.Target).ToHashSet());
        Assert.All(groups, g => Assert.Equal((null, null), (g.BucketStart, g.BucketEnd)));
    }

    [StoreFact]
    public async Task ClaimGroup_Whop_TakesOnlyItsOwnPendingRowsBeforeCutoff()
    {
        await using var db = await CreateDatabaseAsync();
        await SeedWhopAsync(db);
        var group = (await db.Store.ListPendingGroupsAsync(Tables.Whop, Cutoff, "day", None)).Single(g => g.Target == MemberItemQuantity);
        // Null-safe matching: the same member and item, but with a company set too, is a different key.
        await db.InsertWhopAsync("w8", "mem_A", "biz_Z", "bi_X", null, null, "1", At(9, 50));
        var runId = await StartRunAsync(db.Store, Now);

        var result = await db.Store.ClaimGroupAsync(Request(runId, Tables.Whop, group), Prepare, None);

        Assert.NotNull(result);
        var (claimed, decision) = result.Value;
        Assert.Equal((2, 12m), (claimed.RowCount, claimed.Total));
        Assert.Equal((At(9, 0), At(9, 10)), (claimed.FirstOccurredAt, claimed.LastOccurredAt));
        Assert.Equal(SubmissionStatus.Prepared, decision.Status);
        var rows = (await db.RowsAsync(Tables.Whop)).ToDictionary(r => r.SourceKey);
        Assert.All(new[] { "w1", "w2" }, k => Assert.Equal(("claimed", (long?)claimed.SubmissionId), (rows[k].Status, rows[k].SubmissionId)));
        Assert.All(new[] { "w3", "w4", "w5", "w6", "w8" }, k => Assert.Equal("pending", rows[k].Status));
        Assert.Equal("billed", rows["w7"].Status);
        var ledger = await db.Store.GetSubmissionAsync(claimed.SubmissionId, None);
        Assert.Equal((SubmissionStatus.Prepared, 2, 12m, runId), (ledger!.Status, ledger.RowCount, ledger.Total, ledger.OwnerRunId));
    }

    [StoreFact]
    public async Task ListAndClaim_Chargebee_BucketsAreUtcDaysAndHours()
    {
        await using var db = await CreateDatabaseAsync();
        await db.InsertChargebeeAsync("c1", "sub_A", "price-1", "1", new DateTimeOffset(2026, 1, 14, 23, 30, 0, TimeSpan.Zero));
        await db.InsertChargebeeAsync("c2", "sub_A", "price-1", "2", At(0, 10));
        await db.InsertChargebeeAsync("c3", "sub_A", "price-1", "4", At(9, 0, 0, 250));

        var days = await db.Store.ListPendingGroupsAsync(Tables.Chargebee, Cutoff, "day", None);
        var hours = await db.Store.ListPendingGroupsAsync(Tables.Chargebee, Cutoff, "hour", None);

        Assert.Equal(2, days.Count);
        var today = days.Single(g => g.BucketStart == At(0, 0));
        Assert.Equal(At(0, 0).AddDays(1), today.BucketEnd);
        Assert.Equal(3, hours.Count);
        Assert.Contains(hours, g => g.BucketStart == At(9, 0) && g.BucketEnd == At(10, 0));

        var runId = await StartRunAsync(db.Store, Now);
        var claimed = (await db.Store.ClaimGroupAsync(Request(runId, Tables.Chargebee, today), Prepare, None))!.Value.Claimed;

        Assert.Equal((2, 6m), (claimed.RowCount, claimed.Total));
        var rows = (await db.RowsAsync(Tables.Chargebee)).ToDictionary(r => r.SourceKey);
        Assert.Equal(("pending", "claimed", "claimed"), (rows["c1"].Status, rows["c2"].Status, rows["c3"].Status));
        var ledger = await db.Store.GetSubmissionAsync(claimed.SubmissionId, None);
        Assert.Equal("ubtest-" + claimed.SubmissionId, ledger!.UsageId);
        Assert.Equal((At(0, 0), At(0, 0).AddDays(1)), (ledger.BucketStart, ledger.BucketEnd));
    }

    [StoreFact]
    public async Task Grouping_TenRowsOfOneTenth_SumToExactlyOne()
    {
        await using var db = await CreateDatabaseAsync();
        for (var i = 0; i < 10; i++)
        {
            await db.InsertChargebeeAsync($"c{i}", "sub_A", "price-1", "0.1", At(9, i));
        }

        var group = Assert.Single(await db.Store.ListPendingGroupsAsync(Tables.Chargebee, Cutoff, "day", None));
        var runId = await StartRunAsync(db.Store, Now);
        var claimed = (await db.Store.ClaimGroupAsync(Request(runId, Tables.Chargebee, group, batchSize: 3), Prepare, None))!.Value.Claimed;

        Assert.Equal("1", DecimalText.Format(claimed.Total));
        Assert.Equal(10, claimed.RowCount);
        Assert.Equal(1m, (await db.Store.GetSubmissionAsync(claimed.SubmissionId, None))!.Total);
    }

    [StoreFact]
    public async Task ClaimGroup_SeveralBatches_ClaimsEveryRowIntoOneLedgerRow()
    {
        await using var db = await CreateDatabaseAsync();
        for (var i = 0; i < 7; i++)
        {
            await db.InsertWhopAsync($"w{i}", "mem_A", null, "bi_X", null, null, "1.25", At(9, i));
        }

        var group = Assert.Single(await db.Store.ListPendingGroupsAsync(Tables.Whop, Cutoff, "day", None));
        var runId = await StartRunAsync(db.Store, Now);
        var claimed = (await db.Store.ClaimGroupAsync(Request(runId, Tables.Whop, group, batchSize: 3), Prepare, None))!.Value.Claimed;

        Assert.Equal((7, 8.75m), (claimed.RowCount, claimed.Total));
        Assert.All(await db.RowsAsync(Tables.Whop), r => Assert.Equal(("claimed", (long?)claimed.SubmissionId), (r.Status, r.SubmissionId)));
        var submissions = await db.Store.SubmissionsOfRunAsync(runId, None);
        Assert.Equal(SubmissionStatus.Prepared, Assert.Single(submissions).Status);
    }

    [StoreFact]
    public async Task ClaimGroup_RowThatFailsValidation_IsRejectedInsideTheClaim()
    {
        await using var db = await CreateDatabaseAsync();
        await db.InsertChargebeeAsync("ok", "sub_A", "price-1", "2", At(9, 0));
        await db.InsertChargebeeAsync("too-precise", "sub_A", "price-1", "0.001", At(9, 1)); // 3 decimals; the provider takes 2

        var group = Assert.Single(await db.Store.ListPendingGroupsAsync(Tables.Chargebee, Cutoff, "day", None));
        var runId = await StartRunAsync(db.Store, Now);
        var claimed = (await db.Store.ClaimGroupAsync(Request(runId, Tables.Chargebee, group), Prepare, None))!.Value.Claimed;

        Assert.Equal((1, 2m), (claimed.RowCount, claimed.Total));
        var rejection = Assert.Single(claimed.Rejected);
        Assert.Contains("quantity", rejection.Reason, StringComparison.Ordinal);
        var rows = (await db.RowsAsync(Tables.Chargebee)).ToDictionary(r => r.SourceKey);
        Assert.Equal(("claimed", "rejected"), (rows["ok"].Status, rows["too-precise"].Status));
    }

    [StoreFact]
    public async Task ReadPendingRows_ValuesComeBackAsTheValidatorsCanonicalText()
    {
        await using var db = await CreateDatabaseAsync();
        await db.InsertWhopAsync("w1", "mem_A", null, "bi_X", null, "2.5", null, At(9, 0, 0, 500));
        await db.InsertWhopAsync("w2", null, "biz_B", null, "api-calls", null, "-3", At(9, 1));
        await db.SetStatusAsync(Tables.Whop, (await db.RowsAsync(Tables.Whop))[1].Id, "billed");

        var rows = new List<UsageRow>();
        await foreach (var row in db.Store.ReadPendingRowsAsync(Tables.Whop, None))
        {
            rows.Add(row);
        }

        var only = Assert.Single(rows);
        Assert.Equal(("w1", "mem_A", "bi_X", "2.5", (string?)null, "2026-01-15T09:00:00.500Z"),
            (only.SourceKey, only["membership_id"], only["billing_item_id"], only["amount"], only["quantity"], only.OccurredAt));
        Assert.Null(ProviderRegistry.For("whop").CheckRow(only, Rules));
    }

    [StoreFact]
    public async Task SettleRows_Confirmed_WritesIdsBackOnceAndRepeatingChangesNothing()
    {
        await using var db = await CreateDatabaseAsync();
        for (var i = 0; i < 5; i++)
        {
            await db.InsertWhopAsync($"w{i}", "mem_A", null, "bi_X", null, null, "2", At(9, i));
        }

        var group = Assert.Single(await db.Store.ListPendingGroupsAsync(Tables.Whop, Cutoff, "day", None));
        var runId = await StartRunAsync(db.Store, Now);
        var submissionId = (await db.Store.ClaimGroupAsync(Request(runId, Tables.Whop, group), Prepare, None))!.Value.Claimed.SubmissionId;
        Assert.True(await db.Store.MarkSentAsync(submissionId, runId, Now, TimeSpan.FromMinutes(1), None));
        Assert.True(await db.Store.RecordOutcomeAsync(new OutcomeRecord(submissionId, runId, SubmissionStatus.Confirmed, null, "confirmed", Now,
            "bu_1", "rec_1", 10m, 201), None));

        var settled = await db.Store.SettleRowsAsync(submissionId, runId, batchSize: 2, Now, None);
        var again = await db.Store.SettleRowsAsync(submissionId, runId, batchSize: 2, Now.AddMinutes(1), None);

        Assert.Equal((5, 0), (settled, again));
        Assert.All(await db.RowsAsync(Tables.Whop), r => Assert.Equal(("billed", "bu_1"), (r.Status, r.ProviderUsageId)));
        var ledger = (await db.Store.GetSubmissionAsync(submissionId, None))!;
        Assert.Equal((SubmissionStatus.Confirmed, 10m, Now, "rec_1"), (ledger.Status, ledger.EchoedTotal, ledger.SettledAt, ledger.ProviderReceiptId));
        // A settled submission's outcome is final.
        Assert.False(await db.Store.RecordOutcomeAsync(new OutcomeRecord(submissionId, runId, SubmissionStatus.Rejected, "late", "rejected", Now), None));
    }

    [StoreFact]
    public async Task SettleRows_Void_ReturnsRowsToPendingAndRejectedRowsKeepTheReason()
    {
        await using var db = await CreateDatabaseAsync();
        await db.InsertChargebeeAsync("c1", "sub_A", "price-1", "1", At(9, 0));
        await db.InsertChargebeeAsync("c2", "sub_B", "price-1", "1", At(9, 0));
        var runId = await StartRunAsync(db.Store, Now);
        var groups = await db.Store.ListPendingGroupsAsync(Tables.Chargebee, Cutoff, "day", None);
        var first = (await db.Store.ClaimGroupAsync(Request(runId, Tables.Chargebee, groups[0]), Prepare, None))!.Value.Claimed.SubmissionId;
        var second = (await db.Store.ClaimGroupAsync(Request(runId, Tables.Chargebee, groups[1]), Prepare, None))!.Value.Claimed.SubmissionId;

        await db.Store.RecordOutcomeAsync(new OutcomeRecord(first, runId, SubmissionStatus.Void, "stopped", "voided", Now), None);
        await db.Store.RecordOutcomeAsync(new OutcomeRecord(second, runId, SubmissionStatus.Rejected, "subscription not found", "rejected", Now, HttpStatus: 404), None);
        await db.Store.SettleRowsAsync(first, runId, 100, Now, None);
        await db.Store.SettleRowsAsync(second, runId, 100, Now, None);

        var rows = (await db.RowsAsync(Tables.Chargebee)).ToDictionary(r => r.SourceKey);
        Assert.Equal(("pending", (string?)null), (rows["c1"].Status, rows["c1"].Error));
        Assert.Equal(("rejected", "subscription not found"), (rows["c2"].Status, rows["c2"].Error));
    }

    [StoreFact]
    public async Task AdoptOrphans_TakesOnlyADeadRunsUnsettledSubmissions()
    {
        await using var db = await CreateDatabaseAsync();
        await db.InsertWhopAsync("w1", "mem_A", null, "bi_X", null, null, "1", At(9, 0));
        await db.InsertWhopAsync("w2", "mem_B", null, "bi_X", null, null, "1", At(9, 0));
        var deadRun = await StartRunAsync(db.Store, Now); // lease until 12:05
        var groups = await db.Store.ListPendingGroupsAsync(Tables.Whop, Cutoff, "day", None);
        var open = (await db.Store.ClaimGroupAsync(Request(deadRun, Tables.Whop, groups[0]), Prepare, None))!.Value.Claimed.SubmissionId;
        var done = (await db.Store.ClaimGroupAsync(Request(deadRun, Tables.Whop, groups[1]), (_, _) => new GroupDecision(SubmissionStatus.Zero, "net zero", null), None))!.Value.Claimed.SubmissionId;
        await db.Store.SettleRowsAsync(done, deadRun, 100, Now, None);
        var other = db.OtherProcess();
        var recoverer = await StartRunAsync(other, Now.AddMinutes(1));

        var whileAlive = await other.AdoptOrphansAsync("acct", recoverer, Now.AddMinutes(1), None);
        await other.RenewLeaseAsync(recoverer, "job-a", TimeSpan.FromMinutes(30), None);
        await db.ElapseAsync(TimeSpan.FromMinutes(6)); // by the database's clock: the dead run's lease has run out
        var afterLease = await other.AdoptOrphansAsync("acct", recoverer, Now.AddMinutes(6), None);

        Assert.Empty(whileAlive);
        var adopted = Assert.Single(afterLease);
        Assert.Equal((open, recoverer, SubmissionStatus.Prepared), (adopted.Id, adopted.OwnerRunId, adopted.Status));
        Assert.Equal("dead", await db.Store.RunStatusAsync(deadRun, None));
        Assert.False(await db.Store.RenewLeaseAsync(deadRun, "job-a", TimeSpan.FromMinutes(5), None));
        Assert.False(await db.Store.MarkSentAsync(open, deadRun, Now.AddMinutes(6), TimeSpan.FromMinutes(1), None));
        Assert.True(await other.MarkSentAsync(open, recoverer, Now.AddMinutes(6), TimeSpan.FromMinutes(1), None));
        Assert.Empty(await other.AdoptOrphansAsync("acct", recoverer, Now.AddMinutes(7), None));
    }

    [StoreFact]
    public async Task Leases_AreJudgedOnTheDatabasesClock_NotOnAHostClockThatRunsAhead()
    {
        await using var db = await CreateDatabaseAsync();
        await db.InsertWhopAsync("w1", "mem_A", null, "bi_X", null, null, "1", At(9, 0));
        var live = await db.Store.StartRunAsync(new RunRecord("job-a", "acct", "whop_usage", false, Now, Cutoff, Now, TimeSpan.FromSeconds(20), "host-a", 1), None);
        var group = Assert.Single(await db.Store.ListPendingGroupsAsync(Tables.Whop, Cutoff, "day", None));
        var id = (await db.Store.ClaimGroupAsync(Request(live, Tables.Whop, group), Prepare, None))!.Value.Claimed.SubmissionId;
        Assert.True(await db.Store.MarkSentAsync(id, live, Now, TimeSpan.FromSeconds(10), None)); // its POST is in flight

        // Six seconds later a run starts on a host whose clock is 15 s ahead: by that clock the live run's lease
        // (20 s) has lapsed; by the database's it has 14 s left.
        await db.ElapseAsync(TimeSpan.FromSeconds(6));
        var skewed = Now.AddSeconds(6 + 15);
        var other = db.OtherProcess();
        var recoverer = await other.StartRunAsync(new RunRecord("job-a", "acct", "whop_usage", false, skewed, Cutoff, skewed, TimeSpan.FromSeconds(20), "host-b", 2), None);

        Assert.Empty(await other.AdoptOrphansAsync("acct", recoverer, skewed, None));
        Assert.Equal("running", await db.Store.RunStatusAsync(live, None));
        Assert.DoesNotContain(await other.RunningRunsAsync(None), r => r.LeaseExpired);

        // Once the database's clock passes the lease (the live run stopped renewing), the work is taken over.
        await db.ElapseAsync(TimeSpan.FromSeconds(15));
        await other.RenewLeaseAsync(recoverer, "job-a", TimeSpan.FromSeconds(20), None);
        Assert.Contains(await other.RunningRunsAsync(None), r => r.RunId == live && r.LeaseExpired);
        Assert.Equal(id, Assert.Single(await other.AdoptOrphansAsync("acct", recoverer, skewed.AddSeconds(15), None)).Id);
    }

    [StoreFact]
    public async Task MarkSent_LeaseThatWouldEndDuringTheRequest_IsRefused()
    {
        await using var db = await CreateDatabaseAsync();
        await db.InsertWhopAsync("w1", "mem_A", null, "bi_X", null, null, "1", At(9, 0));
        var runId = await StartRunAsync(db.Store, Now); // lease until 12:05
        var group = Assert.Single(await db.Store.ListPendingGroupsAsync(Tables.Whop, Cutoff, "day", None));
        var id = (await db.Store.ClaimGroupAsync(Request(runId, Tables.Whop, group), Prepare, None))!.Value.Claimed.SubmissionId;

        Assert.False(await db.Store.MarkSentAsync(id, runId, Now, TimeSpan.FromMinutes(6), None));
        Assert.True(await db.Store.MarkSentAsync(id, runId, Now, TimeSpan.FromMinutes(4), None));
        Assert.Equal((SubmissionStatus.Sent, 1), ((await db.Store.GetSubmissionAsync(id, None))!.Status, (await db.Store.GetSubmissionAsync(id, None))!.Attempts));
    }

    [StoreFact]
    public async Task ClaimGroup_TwoProcessesRacing_NeverTakeTheSameRow()
    {
        await using var db = await CreateDatabaseAsync();
        for (var i = 0; i < 120; i++)
        {
            await db.InsertChargebeeAsync($"c{i}", "sub_A", "price-1", "0.5", At(9, i % 60, i / 60));
        }

        var group = Assert.Single(await db.Store.ListPendingGroupsAsync(Tables.Chargebee, Cutoff, "day", None));
        var stores = new[] { db.Store, db.OtherProcess() };
        var runs = new long[2];
        for (var i = 0; i < 2; i++)
        {
            runs[i] = await StartRunAsync(stores[i], Now);
        }

        var claims = await Task.WhenAll(Enumerable.Range(0, 2).Select(i => Task.Run(async () =>
        {
            var mine = new List<ClaimedGroup>();
            while (await stores[i].ClaimGroupAsync(Request(runs[i], Tables.Chargebee, group, batchSize: 7), Prepare, None) is { } result)
            {
                mine.Add(result.Claimed);
            }

            return mine;
        })));

        var all = claims.SelectMany(c => c).ToList();
        Assert.Equal(120, all.Sum(c => c.RowCount));
        Assert.Equal(60m, all.Sum(c => c.Total));
        var rows = await db.RowsAsync(Tables.Chargebee);
        Assert.All(rows, r => Assert.Equal("claimed", r.Status));
        foreach (var claimed in all)
        {
            Assert.Equal(claimed.RowCount, rows.Count(r => r.SubmissionId == claimed.SubmissionId));
        }
    }

    [StoreFact]
    public async Task JobLock_SecondAcquireFailsWhileHeld_SucceedsAfterRelease()
    {
        await using var db = await CreateDatabaseAsync();
        var other = db.OtherProcess();

        Assert.True(await db.Store.TryAcquireJobLockAsync("job-a", 1, TimeSpan.FromMinutes(5), None));
        Assert.False(await other.TryAcquireJobLockAsync("job-a", 2, TimeSpan.FromMinutes(5), None));
        Assert.True(await other.TryAcquireJobLockAsync("job-b", 3, TimeSpan.FromMinutes(5), None)); // one guard per job
        Assert.Equal(1, await other.JobLockHolderAsync("job-a", None));

        await db.Store.ReleaseJobLockAsync("job-a", 1, None);

        Assert.Null(await other.JobLockHolderAsync("job-a", None));
        Assert.True(await other.TryAcquireJobLockAsync("job-a", 2, TimeSpan.FromMinutes(5), None));
        Assert.False(await db.Store.TryAcquireJobLockAsync("job-a", 4, TimeSpan.FromMinutes(5), None));
        Assert.Equal(2, await db.Store.JobLockHolderAsync("job-a", None));
    }

    [StoreFact]
    public async Task JobLock_HolderDies_TheJobIsFreeOnceItsLeaseHasRunOut()
    {
        await using var db = await CreateDatabaseAsync();
        var holder = db.OtherProcess();
        Assert.True(await holder.TryAcquireJobLockAsync("job-a", 1, TimeSpan.FromMinutes(5), None));
        await db.ElapseAsync(TimeSpan.FromMinutes(1));
        Assert.False(await db.Store.TryAcquireJobLockAsync("job-a", 2, TimeSpan.FromMinutes(5), None));

        await db.CrashAsync(holder);
        await db.ElapseAsync(TimeSpan.FromMinutes(5));

        Assert.True(await db.Store.TryAcquireJobLockAsync("job-a", 2, TimeSpan.FromMinutes(5), None));
        Assert.Equal(2, await db.Store.JobLockHolderAsync("job-a", None));
    }

    [StoreFact]
    public async Task HoldRequeuedRows_BilledRowSetBackToPending_IsHeldNotBilledAgain()
    {
        await using var db = await CreateDatabaseAsync();
        await db.InsertWhopAsync("w1", "mem_A", null, "bi_X", null, null, "1", At(9, 0));
        var runId = await StartRunAsync(db.Store, Now);
        var group = Assert.Single(await db.Store.ListPendingGroupsAsync(Tables.Whop, Cutoff, "day", None));
        var id = (await db.Store.ClaimGroupAsync(Request(runId, Tables.Whop, group), Prepare, None))!.Value.Claimed.SubmissionId;
        await db.Store.RecordOutcomeAsync(new OutcomeRecord(id, runId, SubmissionStatus.Confirmed, null, "confirmed", Now, "bu_1"), None);
        await db.Store.SettleRowsAsync(id, runId, 100, Now, None);
        var row = Assert.Single(await db.RowsAsync(Tables.Whop));
        await db.SetStatusAsync(Tables.Whop, row.Id, "pending");

        var held = await db.Store.HoldRequeuedRowsAsync(Tables.Whop, runId, Now, None);

        Assert.Equal(1, held);
        var after = Assert.Single(await db.RowsAsync(Tables.Whop));
        Assert.Equal("held", after.Status);
        Assert.Contains("usagebatch requeue --table whop_usage --row " + row.Id, after.Error, StringComparison.Ordinal);
        Assert.Contains("bu_1", after.Error, StringComparison.Ordinal);
    }

    [StoreFact]
    public async Task RejectRows_OnlyRowsStillPendingAreRejected()
    {
        await using var db = await CreateDatabaseAsync();
        await db.InsertWhopAsync("w1", "mem_A", null, "bi_X", null, null, "1", At(9, 0));
        await db.InsertWhopAsync("w2", "mem_A", null, "bi_X", null, null, "1", At(9, 0));
        var rows = await db.RowsAsync(Tables.Whop);
        await db.SetStatusAsync(Tables.Whop, rows[1].Id, "billed");
        var runId = await StartRunAsync(db.Store, Now);

        var rejected = await db.Store.RejectRowsAsync(Tables.Whop, runId,
            [new RowRejection(rows[0].Id, "w1", "amount is bad"), new RowRejection(rows[1].Id, "w2", "amount is bad")], Now, None);

        Assert.Equal(1, rejected);
        var after = await db.RowsAsync(Tables.Whop);
        Assert.Equal(("rejected", "amount is bad", "billed"), (after[0].Status, after[0].Error, after[1].Status));
        var counts = await db.Store.CountRowsAsync(Tables.Whop, Cutoff, None);
        Assert.Equal(new RowCounts(0, 0, 0, 1, 1, 0), counts);
    }

    [StoreFact]
    public async Task Schema_AfterApply_IsAtThisBuildsVersionAndApplyingAgainChangesNothing()
    {
        await using var db = await CreateDatabaseAsync();
        var latest = SchemaScripts.LatestVersion(db.Store.Dialect);

        Assert.Equal(latest, await db.Store.EnsureSchemaAsync(None));
        Assert.Equal(latest, await db.Store.ApplySchemaAsync(None));
        Assert.Equal(latest, await db.Store.EnsureSchemaAsync(None));
        var prefix = await db.Store.GetUsageIdPrefixAsync(Now, None);
        Assert.Equal(prefix, await db.OtherProcess().GetUsageIdPrefixAsync(Now, None));
        Assert.Equal("succeeded", await FinishAsync(db.Store));
    }

    private static IReportStore Reports(IStoreTestDatabase db) => Assert.IsAssignableFrom<IReportStore>(db.Store);

    private static IRequeueStore Requeues(IStoreTestDatabase db) => Assert.IsAssignableFrom<IRequeueStore>(db.Store);

    /// <summary>A whop row billed by a confirmed submission, re-queued by hand, and held by the next look at it.</summary>
    private static async Task<(long RunId, long SubmissionId, long RowId)> HeldWhopRowAsync(IStoreTestDatabase db)
    {
        await db.InsertWhopAsync("w1", "mem_A", null, "bi_X", null, null, "1", At(9, 0));
        var runId = await StartRunAsync(db.Store, Now);
        var group = Assert.Single(await db.Store.ListPendingGroupsAsync(Tables.Whop, Cutoff, "day", None));
        var id = (await db.Store.ClaimGroupAsync(Request(runId, Tables.Whop, group), Prepare, None))!.Value.Claimed.SubmissionId;
        await db.Store.RecordOutcomeAsync(new OutcomeRecord(id, runId, SubmissionStatus.Confirmed, null, "confirmed", Now, "wu_1", "rec_1"), None);
        await db.Store.SettleRowsAsync(id, runId, 100, Now, None);
        var row = Assert.Single(await db.RowsAsync(Tables.Whop));
        await db.SetStatusAsync(Tables.Whop, row.Id, "pending");
        Assert.Equal(1, await db.Store.HoldRequeuedRowsAsync(Tables.Whop, runId, Now, None));
        return (runId, id, row.Id);
    }

    [StoreFact]
    public async Task Reports_RunRecordSubmissionsEventsAndExceptions_AreWhatTheRunRecorded()
    {
        await using var db = await CreateDatabaseAsync();
        var reports = Reports(db);
        await db.InsertChargebeeAsync("ok", "sub_A", "price-1", "2", At(9, 0));
        await db.InsertChargebeeAsync("too-precise", "sub_A", "price-1", "0.001", At(9, 1));
        var runId = await StartRunAsync(db.Store, Now);
        var group = Assert.Single(await db.Store.ListPendingGroupsAsync(Tables.Chargebee, Cutoff, "day", None));
        var submissionId = (await db.Store.ClaimGroupAsync(Request(runId, Tables.Chargebee, group), Prepare, None))!.Value.Claimed.SubmissionId;
        Assert.True(await db.Store.MarkSentAsync(submissionId, runId, Now, TimeSpan.FromMinutes(1), None));
        Assert.True(await db.Store.RecordOutcomeAsync(new OutcomeRecord(submissionId, runId, SubmissionStatus.Confirmed, null, "confirmed", Now,
            "cbu_1", "inv_1", 2m, 200, "ok"), None));
        await db.Store.SettleRowsAsync(submissionId, runId, 100, Now, None);
        await db.Store.FinishRunAsync(runId, RunOutcome.Succeeded, 0, "1 submission", """{"runId":1}""", Now.AddMinutes(1), None);
        var quiet = await StartRunAsync(db.Store, Now.AddMinutes(2));

        var run = await reports.GetRunAsync(runId, None);
        var submissions = await reports.SubmissionsForReportAsync(runId, None);
        var events = await reports.EventsOfRunAsync(runId, None);
        var exceptions = await reports.RowExceptionsOfRunAsync(runId, None);

        Assert.Equal(new ReportRunRow(runId, "job-a", "acct", "whop_usage", "succeeded", false, Now, Cutoff, Now, Now.AddMinutes(1),
            "test-host", 0, "1 submission", """{"runId":1}"""), run);
        Assert.Null(await reports.GetRunAsync(quiet + 100, None));
        var rows = (await db.RowsAsync(Tables.Chargebee)).ToDictionary(r => r.SourceKey);
        var submission = Assert.Single(submissions);
        Assert.Equal((submissionId, SubmissionStatus.Confirmed, "cbu_1", RowIdRanges.Format([rows["ok"].Id])),
            (submission.Submission.Id, submission.Submission.Status, submission.Submission.ProviderUsageId, submission.RowIds));
        Assert.Equal(new[] { "prepared", "sent", "confirmed" }, events.Select(e => e.Event));
        Assert.All(events, e => Assert.Equal((submissionId, Now), (e.SubmissionId, e.At)));
        Assert.StartsWith("1 rows, total 2", events[0].Detail, StringComparison.Ordinal);
        Assert.Equal(new ReportEventRow(submissionId, Now, "confirmed", null, "cbu_1", "inv_1", 2m, 200, "ok"), events[2]);
        var exception = Assert.Single(exceptions);
        // Rejected inside the claim, as validation rejects: not linked to the group's ledger row.
        Assert.Equal((rows["too-precise"].Id, "chargebee_usage", "too-precise", (long?)null, "rejected", Now),
            (exception.RowId, exception.UsageTable, exception.SourceKey, exception.SubmissionId, exception.Kind, exception.At));
        Assert.Contains("quantity", exception.Reason, StringComparison.Ordinal);
        // A run that recorded nothing reports nothing, whatever other runs did.
        Assert.Empty(await reports.SubmissionsForReportAsync(quiet, None));
        Assert.Empty(await reports.EventsOfRunAsync(quiet, None));
        Assert.Empty(await reports.RowExceptionsOfRunAsync(quiet, None));
    }

    [StoreFact]
    public async Task LastFinishedRun_IsTheNewestNotRunning_OfTheJobWhenGiven()
    {
        await using var db = await CreateDatabaseAsync();
        var reports = Reports(db);
        Assert.Null(await reports.LastFinishedRunIdAsync(null, None));
        var first = await StartRunAsync(db.Store, Now);
        await db.Store.FinishRunAsync(first, RunOutcome.Succeeded, 0, null, "{}", Now.AddMinutes(1), None);
        var other = await StartRunAsync(db.Store, Now.AddMinutes(2), job: "job-b");
        await db.Store.FinishRunAsync(other, RunOutcome.Attention, 1, "held rows", "{}", Now.AddMinutes(3), None);
        await StartRunAsync(db.Store, Now.AddMinutes(4)); // still running

        Assert.Equal(other, await reports.LastFinishedRunIdAsync(null, None));
        Assert.Equal(first, await reports.LastFinishedRunIdAsync("job-a", None));
        Assert.Null(await reports.LastFinishedRunIdAsync("job-c", None));
    }

    [StoreFact]
    public async Task ConfirmedCounts_CountConfirmedSubmissionsPerSubscription_UpToTheRun()
    {
        await using var db = await CreateDatabaseAsync();
        var reports = Reports(db);
        await db.InsertChargebeeAsync("a14", "sub_A", "price-1", "1", new DateTimeOffset(2026, 1, 14, 9, 0, 0, TimeSpan.Zero));
        await db.InsertChargebeeAsync("a15", "sub_A", "price-1", "1", At(9, 0));
        await db.InsertChargebeeAsync("b15", "sub_B", "price-1", "1", At(9, 0));
        var first = await StartRunAsync(db.Store, Now);
        var ids = new List<long>();
        foreach (var group in await db.Store.ListPendingGroupsAsync(Tables.Chargebee, Cutoff, "day", None))
        {
            ids.Add((await db.Store.ClaimGroupAsync(Request(first, Tables.Chargebee, group), Prepare, None))!.Value.Claimed.SubmissionId);
        }

        // Ordered by subscription then bucket: sub_A 14th, sub_A 15th, sub_B 15th.
        await db.Store.RecordOutcomeAsync(new OutcomeRecord(ids[0], first, SubmissionStatus.Confirmed, null, "confirmed", Now, "cbu_a14"), None);
        await db.Store.RecordOutcomeAsync(new OutcomeRecord(ids[1], first, SubmissionStatus.Rejected, "refused", "rejected", Now), None);
        await db.Store.RecordOutcomeAsync(new OutcomeRecord(ids[2], first, SubmissionStatus.Confirmed, null, "confirmed", Now, "cbu_b15"), None);
        await db.InsertChargebeeAsync("a15-late", "sub_A", "price-1", "1", At(10, 0));
        var second = await StartRunAsync(db.Store, Now.AddMinutes(1));
        var late = Assert.Single(await db.Store.ListPendingGroupsAsync(Tables.Chargebee, Cutoff, "day", None));
        var lateId = (await db.Store.ClaimGroupAsync(Request(second, Tables.Chargebee, late), Prepare, None))!.Value.Claimed.SubmissionId;
        await db.Store.RecordOutcomeAsync(new OutcomeRecord(lateId, second, SubmissionStatus.Confirmed, null, "confirmed", Now, "cbu_a15"), None);

        var upToFirst = await reports.ConfirmedCountsAsync("acct", ["sub_A", "sub_B", "sub_C", "sub_A"], first, None);
        var upToSecond = await reports.ConfirmedCountsAsync("acct", ["sub_A", "sub_B"], second, None);

        Assert.Equal(new[] { ("sub_A", 1), ("sub_B", 1) }, upToFirst.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => (p.Key, p.Value)));
        Assert.Equal(new[] { ("sub_A", 2), ("sub_B", 1) }, upToSecond.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => (p.Key, p.Value)));
        Assert.Empty(await reports.ConfirmedCountsAsync("other-acct", ["sub_A"], second, None));
        Assert.Empty(await reports.ConfirmedCountsAsync("acct", [], second, None));
    }

    [StoreFact]
    public async Task NewestOccurred_IsTheLatestRowOfAnyStatus_NullWhenEmpty()
    {
        await using var db = await CreateDatabaseAsync();
        var empty = await db.Store.NewestOccurredAsync(Tables.Whop, None);
        await db.InsertWhopAsync("old", "mem_A", null, "bi_X", null, null, "1", At(8, 0));
        await db.InsertWhopAsync("newest", "mem_A", null, "bi_X", null, null, "1", At(10, 30, 5, 250));
        await db.InsertWhopAsync("middle", "mem_A", null, "bi_X", null, null, "1", At(9, 0));
        await db.SetStatusAsync(Tables.Whop, (await db.RowsAsync(Tables.Whop)).Single(r => r.SourceKey == "newest").Id, "billed");

        Assert.Null(empty);
        Assert.Equal(At(10, 30, 5, 250), await db.Store.NewestOccurredAsync(Tables.Whop, None));
        Assert.Null(await db.Store.NewestOccurredAsync(Tables.Chargebee, None));
    }

    [StoreFact]
    public async Task SilentCustomers_BilledInEachOfTheLastBillingRunsAndAbsentNow_AreListed_RunsThatBilledNothingDoNotCount()
    {
        await using var db = await CreateDatabaseAsync();
        var reports = Reports(db);
        var minute = 0;
        async Task<long> RunBillingAsync(params string[] members)
        {
            foreach (var member in members)
            {
                await db.InsertWhopAsync($"{member}-{++minute}", member, null, "bi_X", null, null, "1", At(9, minute));
            }

            var runId = await StartRunAsync(db.Store, Now);
            foreach (var group in await db.Store.ListPendingGroupsAsync(Tables.Whop, Cutoff, "day", None))
            {
                var id = (await db.Store.ClaimGroupAsync(Request(runId, Tables.Whop, group), (_, _) => new GroupDecision(SubmissionStatus.Prepared, null, null), None))!
                    .Value.Claimed.SubmissionId;
                Assert.True(await db.Store.RecordOutcomeAsync(new OutcomeRecord(id, runId, SubmissionStatus.Confirmed, null, "confirmed", Now, $"wu_{id}"), None));
                await db.Store.SettleRowsAsync(id, runId, 100, Now, None);
            }

            return runId;
        }

        await RunBillingAsync("mem_A", "mem_B");
        await RunBillingAsync(); // billed nothing
        var second = await RunBillingAsync("mem_A", "mem_B");
        var quiet = await RunBillingAsync("mem_A");

        Assert.Equal([("membership_id", "mem_B")], await reports.SilentCustomersAsync("job-a", quiet, 2, None));
        Assert.Empty(await reports.SilentCustomersAsync("job-a", second, 2, None)); // one billing run before it, not two
        Assert.Empty(await reports.SilentCustomersAsync("job-b", quiet, 2, None));
        Assert.Empty(await reports.SilentCustomersAsync("job-a", quiet, 0, None));
    }

    [StoreFact]
    public async Task ConfirmedInPeriod_ChargebeeByUsageDate_WhopByAcceptedAttempt_AndLookupByUsageIds()
    {
        await using var db = await CreateDatabaseAsync();
        var reports = Reports(db);
        await db.InsertChargebeeAsync("a14", "sub_A", "price-1", "1", new DateTimeOffset(2026, 1, 14, 23, 30, 0, TimeSpan.Zero));
        await db.InsertChargebeeAsync("a15", "sub_A", "price-1", "1", At(9, 0));
        await db.InsertChargebeeAsync("b15", "sub_B", "price-1", "1", At(9, 0));
        await db.InsertWhopAsync("w1", "mem_A", null, "bi_X", null, null, "1", At(9, 0));
        await db.InsertWhopAsync("w2", "mem_B", null, "bi_X", null, null, "1", At(9, 0));
        var runId = await StartRunAsync(db.Store, Now); // lease until 12:05
        var chargebee = new List<long>();
        foreach (var group in await db.Store.ListPendingGroupsAsync(Tables.Chargebee, Cutoff, "day", None))
        {
            chargebee.Add((await db.Store.ClaimGroupAsync(Request(runId, Tables.Chargebee, group), Prepare, None))!.Value.Claimed.SubmissionId);
        }

        var whop = new List<long>();
        foreach (var group in await db.Store.ListPendingGroupsAsync(Tables.Whop, Cutoff, "day", None))
        {
            // Whop has no usage date: only the accepted attempt's time places it in a period.
            whop.Add((await db.Store.ClaimGroupAsync(Request(runId, Tables.Whop, group), (_, _) => new GroupDecision(SubmissionStatus.Prepared, null, null), None))!
                .Value.Claimed.SubmissionId);
        }

        await db.Store.RecordOutcomeAsync(new OutcomeRecord(chargebee[0], runId, SubmissionStatus.Confirmed, null, "confirmed", Now, "cbu_14"), None);
        await db.Store.RecordOutcomeAsync(new OutcomeRecord(chargebee[1], runId, SubmissionStatus.Confirmed, null, "confirmed", Now, "cbu_15"), None);
        await db.Store.RecordOutcomeAsync(new OutcomeRecord(chargebee[2], runId, SubmissionStatus.Rejected, "refused", "rejected", Now), None);
        Assert.True(await db.Store.MarkSentAsync(whop[0], runId, Now, TimeSpan.FromMinutes(1), None));
        Assert.True(await db.Store.MarkSentAsync(whop[1], runId, Now.AddMinutes(2), TimeSpan.FromMinutes(3), None));
        await db.Store.RecordOutcomeAsync(new OutcomeRecord(whop[0], runId, SubmissionStatus.Confirmed, null, "confirmed", Now, "wu_A"), None);
        await db.Store.RecordOutcomeAsync(new OutcomeRecord(whop[1], runId, SubmissionStatus.Confirmed, null, "confirmed", Now.AddMinutes(2), "wu_B"), None);

        var day15 = await reports.ConfirmedInPeriodAsync("acct", ReconcileDating.UsageDate, At(0, 0), At(0, 0).AddDays(1), None);
        var firstTwoMinutes = await reports.ConfirmedInPeriodAsync("acct", ReconcileDating.SentAt, Now, Now.AddMinutes(2), None);
        var later = await reports.ConfirmedInPeriodAsync("acct", ReconcileDating.SentAt, Now.AddMinutes(1), Now.AddMinutes(3), None);
        var byIds = await reports.SubmissionsByUsageIdsAsync("acct", ["wu_B", "ubtest-" + chargebee[0], "cbu_15", "ubtest-" + chargebee[1], "nope"], None);

        var only = Assert.Single(day15);
        Assert.Equal((chargebee[1], "cbu_15", (DateTimeOffset?)At(9, 0)), (only.Id, only.ProviderUsageId, only.UsageDate));
        Assert.Equal(whop[0], Assert.Single(firstTwoMinutes).Id);
        Assert.Equal(whop[1], Assert.Single(later).Id);
        Assert.Equal(new[] { chargebee[0], chargebee[1], whop[1] }, byIds.Select(s => s.Id));
        Assert.Empty(await reports.ConfirmedInPeriodAsync("other-acct", ReconcileDating.UsageDate, At(0, 0), At(0, 0).AddDays(1), None));
        Assert.Empty(await reports.SubmissionsByUsageIdsAsync("other-acct", ["wu_A"], None));
        Assert.Empty(await reports.SubmissionsByUsageIdsAsync("acct", [], None));
    }

    [StoreFact]
    public async Task RecordReceipt_WritesItToTheSubmissionAndItsBilledRows_Once()
    {
        await using var db = await CreateDatabaseAsync();
        var reports = Reports(db);
        for (var i = 0; i < 3; i++)
        {
            await db.InsertWhopAsync($"w{i}", "mem_A", null, "bi_X", null, null, "1", At(9, i));
        }

        var runId = await StartRunAsync(db.Store, Now);
        var group = Assert.Single(await db.Store.ListPendingGroupsAsync(Tables.Whop, Cutoff, "day", None));
        var id = (await db.Store.ClaimGroupAsync(Request(runId, Tables.Whop, group), Prepare, None))!.Value.Claimed.SubmissionId;
        await db.Store.RecordOutcomeAsync(new OutcomeRecord(id, runId, SubmissionStatus.Confirmed, null, "confirmed", Now, "wu_1"), None);
        await db.Store.SettleRowsAsync(id, runId, 100, Now, None);
        var rows = await db.RowsAsync(Tables.Whop);
        await db.SetStatusAsync(Tables.Whop, rows[2].Id, "held"); // no longer billed: the receipt is not its to carry

        var updated = await reports.RecordReceiptAsync(id, "rec_9", Now.AddMinutes(1), None);
        var again = await reports.RecordReceiptAsync(id, "rec_9", Now.AddMinutes(2), None);

        Assert.Equal((2, 0), (updated, again));
        Assert.Equal("rec_9", (await db.Store.GetSubmissionAsync(id, None))!.ProviderReceiptId);
        Assert.Equal(new[] { "rec_9", "rec_9", null }, (await db.RowsAsync(Tables.Whop)).Select(r => r.ProviderReceiptId));
        await Assert.ThrowsAsync<InvalidOperationException>(() => reports.RecordReceiptAsync(id + 100, "rec_x", Now, None));
    }

    [StoreFact]
    public async Task SettleRows_ProviderIdsOf200Characters_AreWrittenBackWhole_AndALongProviderCodeIsCut()
    {
        // The ledger and the usage tables hold provider ids of up to 200 characters; an id that fitted the
        // ledger but not the rows could never settle. A provider's error code of any length must never fail the write.
        await using var db = await CreateDatabaseAsync();
        await db.InsertWhopAsync("w1", "mem_A", null, "bi_X", null, null, "1", At(9, 0));
        var runId = await StartRunAsync(db.Store, Now);
        var group = Assert.Single(await db.Store.ListPendingGroupsAsync(Tables.Whop, Cutoff, "day", None));
        var id = (await db.Store.ClaimGroupAsync(Request(runId, Tables.Whop, group), Prepare, None))!.Value.Claimed.SubmissionId;
        var usageId = "wu_" + new string('u', 197);
        var receiptId = "rc_" + new string('r', 197);

        await db.Store.RecordOutcomeAsync(new OutcomeRecord(id, runId, SubmissionStatus.Confirmed, null, "confirmed", Now, usageId, receiptId,
            ProviderCode: new string('c', 300)), None);
        await db.Store.SettleRowsAsync(id, runId, 100, Now, None);

        var row = Assert.Single(await db.RowsAsync(Tables.Whop));
        Assert.Equal(("billed", usageId, receiptId), (row.Status, row.ProviderUsageId, row.ProviderReceiptId));
        Assert.Equal(usageId, (await db.Store.GetSubmissionAsync(id, None))!.ProviderUsageId);
    }

    [StoreFact]
    public async Task FindHeldRows_LooksInBothUsageTables()
    {
        await using var db = await CreateDatabaseAsync();
        var (_, submissionId, rowId) = await HeldWhopRowAsync(db);
        await db.InsertChargebeeAsync("c1", "sub_A", "price-1", "1", At(9, 0));
        var chargebeeRow = Assert.Single(await db.RowsAsync(Tables.Chargebee));
        Assert.Equal(rowId, chargebeeRow.Id); // ids are per table: each table's first row has the same id
        await db.SetStatusAsync(Tables.Chargebee, chargebeeRow.Id, "held");
        await db.InsertWhopAsync("w2", "mem_B", null, "bi_X", null, null, "1", At(9, 0));
        var pending = (await db.RowsAsync(Tables.Whop)).Single(r => r.SourceKey == "w2");

        var found = await Requeues(db).FindHeldRowsAsync(rowId, [Tables.Whop, Tables.Chargebee], None);

        Assert.Equal(2, found.Count);
        Assert.Equal((Tables.Whop, rowId, "w1", (long?)submissionId), (found[0].Table, found[0].RowId, found[0].SourceKey, found[0].SubmissionId));
        Assert.Contains("usagebatch requeue --table whop_usage --row " + rowId, found[0].Reason, StringComparison.Ordinal);
        Assert.Equal(new HeldRow(Tables.Chargebee, rowId, "c1", null, null), found[1]);
        Assert.Empty(await Requeues(db).FindHeldRowsAsync(pending.Id, [Tables.Whop, Tables.Chargebee], None));
    }

    [StoreFact]
    public async Task ReopenSubmission_HeldRowsAreClaimedAgain_AndTheSubmissionTakesTheGivenStatusAndOwner()
    {
        await using var db = await CreateDatabaseAsync();
        var requeue = Requeues(db);
        await db.InsertWhopAsync("w1", "mem_A", null, "bi_X", null, null, "1", At(9, 0));
        await db.InsertWhopAsync("w2", "mem_A", null, "bi_X", null, null, "2", At(9, 1));
        await db.InsertWhopAsync("w3", "mem_B", null, "bi_X", null, null, "4", At(9, 0));
        var runId = await StartRunAsync(db.Store, Now);
        var ids = new List<long>();
        foreach (var group in await db.Store.ListPendingGroupsAsync(Tables.Whop, Cutoff, "day", None))
        {
            var id = (await db.Store.ClaimGroupAsync(Request(runId, Tables.Whop, group), Prepare, None))!.Value.Claimed.SubmissionId;
            Assert.True(await db.Store.MarkSentAsync(id, runId, Now, TimeSpan.FromMinutes(1), None));
            await db.Store.RecordOutcomeAsync(new OutcomeRecord(id, runId, SubmissionStatus.Held, "ambiguous", "held", Now, ids.Count == 0 ? "wu_a" : null), None);
            await db.Store.SettleRowsAsync(id, runId, 100, Now, None);
            ids.Add(id);
        }

        Assert.All(await db.RowsAsync(Tables.Whop), r => Assert.Equal(("held", "ambiguous"), (r.Status, r.Error)));
        var later = Now.AddMinutes(10);
        var admin = await StartRunAsync(db.Store, later);

        var approved = await requeue.ReopenSubmissionAsync(ids[0], admin, SubmissionStatus.Prepared, "approved", null, null, null, later, None);
        var confirmed = await requeue.ReopenSubmissionAsync(ids[1], admin, SubmissionStatus.Confirmed, "found at the provider", "wu_b", "rec_b", 4m, later, None);

        Assert.Equal((2, 1), (approved, confirmed));
        Assert.All(await db.RowsAsync(Tables.Whop), r => Assert.Equal(("claimed", (string?)null), (r.Status, r.Error)));
        var a = (await db.Store.GetSubmissionAsync(ids[0], None))!;
        Assert.Equal((SubmissionStatus.Prepared, "approved", admin, (DateTimeOffset?)null, "wu_a"), (a.Status, a.StatusReason, a.OwnerRunId, a.SettledAt, a.ProviderUsageId));
        var b = (await db.Store.GetSubmissionAsync(ids[1], None))!;
        Assert.Equal((SubmissionStatus.Confirmed, admin, (DateTimeOffset?)null, "wu_b", "rec_b", (decimal?)4m),
            (b.Status, b.OwnerRunId, b.SettledAt, b.ProviderUsageId, b.ProviderReceiptId, b.EchoedTotal));
        var reports = Reports(db);
        Assert.Equal(new (long, string, string?)[] { (ids[0], "requeued", "prepared: approved"), (ids[1], "requeued", "confirmed: found at the provider") },
            (await reports.EventsOfRunAsync(admin, None)).Select(e => (e.SubmissionId, e.Event, e.Detail)));
        Assert.Equal(ids, (await reports.SubmissionsForReportAsync(admin, None)).Select(s => s.Submission.Id));

        // Confirmed: requeue settles it at once; the row is billed under the provider's usage.
        Assert.Equal(1, await db.Store.SettleRowsAsync(ids[1], admin, 100, later, None));
        var billed = (await db.RowsAsync(Tables.Whop)).Single(r => r.SourceKey == "w3");
        Assert.Equal(("billed", "wu_b", "rec_b"), (billed.Status, billed.ProviderUsageId, billed.ProviderReceiptId));
        // A submission no longer held is not reopened.
        Assert.Equal(0, await requeue.ReopenSubmissionAsync(ids[1], admin, SubmissionStatus.Prepared, "again", null, null, null, later, None));
        Assert.Equal((SubmissionStatus.Confirmed, (DateTimeOffset?)later), ((await db.Store.GetSubmissionAsync(ids[1], None))!.Status, (await db.Store.GetSubmissionAsync(ids[1], None))!.SettledAt));
    }

    [StoreFact]
    public async Task RestoreBilledRow_HeldRowIsBilledAgainUnderItsUsage_OtherRowsUntouched()
    {
        await using var db = await CreateDatabaseAsync();
        var (_, submissionId, rowId) = await HeldWhopRowAsync(db);
        await db.InsertWhopAsync("w2", "mem_B", null, "bi_X", null, null, "1", At(9, 0));
        var pending = (await db.RowsAsync(Tables.Whop)).Single(r => r.SourceKey == "w2");
        var later = Now.AddMinutes(10);
        var admin = await StartRunAsync(db.Store, later);

        await Requeues(db).RestoreBilledRowAsync(Tables.Whop, rowId, admin, "wu_1", null, later, None);
        await Requeues(db).RestoreBilledRowAsync(Tables.Whop, pending.Id, admin, "wu_x", null, later, None);

        var rows = (await db.RowsAsync(Tables.Whop)).ToDictionary(r => r.SourceKey);
        Assert.Equal(new StoredRow(rowId, "w1", "billed", submissionId, "wu_1", null, 1m, "rec_1"), rows["w1"]);
        Assert.Equal(new StoredRow(pending.Id, "w2", "pending", null, null, null, 1m, null), rows["w2"]);
    }

    [StoreFact]
    public async Task ReleaseRow_UnlinksTheHeldRow_AndRecordsWhyAsARowException()
    {
        await using var db = await CreateDatabaseAsync();
        var (_, _, rowId) = await HeldWhopRowAsync(db);
        var later = Now.AddMinutes(10);
        var admin = await StartRunAsync(db.Store, later);

        await Requeues(db).ReleaseRowAsync(Tables.Whop, rowId, admin, "released by requeue: usage wu_1 no longer exists at the provider", later, None);

        Assert.Equal(new StoredRow(rowId, "w1", "pending", null, null, null, 1m, null), Assert.Single(await db.RowsAsync(Tables.Whop)));
        Assert.Equal(new ReportExceptionRow(rowId, "whop_usage", "w1", null, "released", "released by requeue: usage wu_1 no longer exists at the provider", later),
            Assert.Single(await Reports(db).RowExceptionsOfRunAsync(admin, None)));
        // Unlinked: the next run neither holds it again nor skips it.
        Assert.Equal(0, await db.Store.HoldRequeuedRowsAsync(Tables.Whop, admin, later, None));
        var group = Assert.Single(await db.Store.ListPendingGroupsAsync(Tables.Whop, Cutoff, "day", None));
        var next = await StartRunAsync(db.Store, later, job: "job-b");
        Assert.Equal(1, (await db.Store.ClaimGroupAsync(Request(next, Tables.Whop, group, now: later), Prepare, None))!.Value.Claimed.RowCount);
    }

    private static async Task<string?> FinishAsync(IBillingStore store)
    {
        var runId = await StartRunAsync(store, Now);
        await store.FinishRunAsync(runId, RunOutcome.Succeeded, 0, null, "{}", Now.AddMinutes(1), None);
        var recent = await store.RecentRunsAsync("job-a", 5, None);
        Assert.Equal((runId, "2026-01-15T12:00:00.000Z", "2026-01-15T12:01:00.000Z"), (recent[0].RunId, recent[0].StartedAt, recent[0].FinishedAt));
        return await store.RunStatusAsync(runId, None);
    }
}

/// <summary>The store contract on the embedded SQLite database: always runs.</summary>
public sealed class SqliteBillingStoreContractTests : BillingStoreContractTests
{
    private protected override Task<IStoreTestDatabase> CreateDatabaseAsync() => SqliteStoreTestDatabase.CreateAsync();
}

/// <summary>
/// The store contract on SQLite following SQL Server's plan (per-group batches, each a short transaction, settled
/// submission by submission): the claim and settle algorithm production runs, executed here without a server.
/// </summary>
public sealed class SqliteGroupBatchesStoreContractTests : BillingStoreContractTests
{
    private protected override Task<IStoreTestDatabase> CreateDatabaseAsync() => SqliteStoreTestDatabase.CreateAsync(SqlitePlan.GroupBatches);
}

/// <summary>The store contract on SQL Server: runs when USAGEBATCH_TEST_SQLSERVER holds a connection string, skipped otherwise.</summary>
[RequiresSqlServer]
public sealed class SqlServerBillingStoreContractTests : BillingStoreContractTests
{
    private protected override async Task<IStoreTestDatabase> CreateDatabaseAsync() => await SqlServerStoreTestDatabase.CreateAsync();
}
