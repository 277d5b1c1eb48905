using UsageBatch.Billing;
using UsageBatch.Providers;
using UsageBatch.Storage;
using UsageBatch.Storage.Sqlite;
using UsageBatch.Tests.TestSupport;
using UsageBatch.Usage;

namespace UsageBatch.Tests.Storage;

/// <summary>
/// What a DBA does by hand to billing_status, and what a run that lost its lease still tries: whatever the edit and
/// whenever it happens, a row is claimed only when its previous submission is final and unbilled (void, released,
/// rejected); any other re-pended row is held with its reason, and a run no longer 'running' writes nothing more
/// into its ledger rows. Written once, run on both SQLite plans and on SQL Server when one is configured.
/// </summary>
public abstract class DbaEditContractTests
{
    private static readonly DateTimeOffset Now = new(2026, 1, 15, 12, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset Cutoff = Now.AddHours(-1);
    private static readonly ValidationRules Rules = new(QuantityDecimals: 2, AmountDecimals: 2, OldestAccepted: Cutoff.AddDays(-365));
    private static readonly CancellationToken None = CancellationToken.None;
    private static readonly DateTimeOffset Morning = new(2026, 1, 15, 9, 0, 0, TimeSpan.Zero);

    private protected abstract Task<IStoreTestDatabase> CreateDatabaseAsync();

    private static Task<long> StartRunAsync(IBillingStore store, string job = "job-a") =>
        store.StartRunAsync(new RunRecord(job, "acct", "whop_usage", false, Now, Cutoff, Now, TimeSpan.FromMinutes(5), "test-host", 1), None);

    private static ClaimRequest Request(long runId, PendingGroup group, int batchSize = 4000) =>
        new(runId, "job-a", "acct", Tables.Whop, group, Cutoff, batchSize, Rules, "ubtest-", Now);

    private static GroupDecision Prepare(ClaimedGroup group, GroupFacts facts) => new(SubmissionStatus.Prepared, null, group.LastOccurredAt);

    private static async Task SeedAsync(IStoreTestDatabase db, int rows, string member = "mem_A")
    {
        for (var i = 0; i < rows; i++)
        {
            await db.InsertWhopAsync($"{member}-{i}", member, null, "bi_X", null, null, "1", Morning.AddMinutes(i));
        }
    }

    /// <summary>Claims every pending group for <paramref name="runId"/>; the submissions decided.</summary>
    private static async Task<IReadOnlyList<(ClaimedGroup Claimed, GroupDecision Decision)>> ClaimAllAsync(IBillingStore store, long runId, int batchSize = 4000)
    {
        var groups = await store.ListPendingGroupsAsync(Tables.Whop, Cutoff, "day", None);
        return groups.Count == 0 ? [] : await store.ClaimGroupsAsync(Request(runId, groups[0], batchSize), groups, "day", Prepare, None);
    }

    private static async Task ConfirmAsync(IBillingStore store, long submissionId, long runId, string usageId)
    {
        Assert.True(await store.MarkSentAsync(submissionId, runId, Now, TimeSpan.FromMinutes(1), None));
        Assert.True(await store.RecordOutcomeAsync(new OutcomeRecord(submissionId, runId, SubmissionStatus.Confirmed, null, "confirmed", Now, usageId, null, 3m), None));
        await store.SettleRowsAsync(submissionId, runId, 100, Now, None);
    }

    [Theory]
    [InlineData("prepared")]
    [InlineData("sent")]
    public async Task RowResetUnderASubmissionStillInFlight_IsNeverClaimed_AndTakesThatSubmissionsOutcome(string inFlight)
    {
        await using var db = await CreateDatabaseAsync();
        await SeedAsync(db, 3);
        var crashed = await StartRunAsync(db.Store);
        var submission = Assert.Single(await ClaimAllAsync(db.Store, crashed)).Claimed.SubmissionId;
        if (SubmissionStatusText.Parse(inFlight) == SubmissionStatus.Sent)
        {
            Assert.True(await db.Store.MarkSentAsync(submission, crashed, Now, TimeSpan.FromMinutes(1), None));
        }

        // The run stalls mid-send; its rows look stuck, so the DBA sets them back to pending.
        foreach (var row in await db.RowsAsync(Tables.Whop))
        {
            await db.SetStatusAsync(Tables.Whop, row.Id, "pending");
        }

        // Another run neither claims nor holds them: their submission's outcome is not known yet.
        var next = await StartRunAsync(db.OtherProcess(), job: "job-b");
        Assert.Empty(await db.Store.ListPendingGroupsAsync(Tables.Whop, Cutoff, "day", None));
        Assert.Empty(await ClaimAllAsync(db.Store, next));
        Assert.Equal(0, await db.Store.HoldRequeuedRowsAsync(Tables.Whop, next, Now, None));
        Assert.Empty(await db.Store.FindRequeuedBilledRowsAsync(Tables.Whop, None));

        // The submission is confirmed (by its run, or by the recovery of it): its rows follow it, reset or not.
        await ConfirmAsync(db.Store, submission, crashed, "bu_1");

        Assert.All(await db.RowsAsync(Tables.Whop), r => Assert.Equal(("billed", (long?)submission, "bu_1"), (r.Status, r.SubmissionId, r.ProviderUsageId)));
    }

    [Fact]
    public async Task BilledRowResetAfterTheHoldStep_IsNotClaimedByThatRun_AndTheNextHoldStepHoldsIt()
    {
        await using var db = await CreateDatabaseAsync();
        await SeedAsync(db, 2);
        var first = await StartRunAsync(db.Store);
        var billed = Assert.Single(await ClaimAllAsync(db.Store, first)).Claimed.SubmissionId;
        await ConfirmAsync(db.Store, billed, first, "bu_1");
        await SeedAsync(db, 1, member: "mem_B");

        // The next run has held nothing (nothing was re-queued yet) when the DBA resets a billed row.
        var second = await StartRunAsync(db.Store);
        Assert.Equal(0, await db.Store.HoldRequeuedRowsAsync(Tables.Whop, second, Now, None));
        var reset = (await db.RowsAsync(Tables.Whop)).First(r => r.Status == "billed");
        await db.SetStatusAsync(Tables.Whop, reset.Id, "pending");

        var claimed = Assert.Single(await ClaimAllAsync(db.Store, second)).Claimed;

        Assert.Equal(("mem_B", 1), (claimed.Target.CustomerId, claimed.RowCount));
        var row = (await db.RowsAsync(Tables.Whop)).Single(r => r.Id == reset.Id);
        Assert.Equal(("pending", (long?)billed), (row.Status, row.SubmissionId));
        Assert.Equal(1, await db.Store.HoldRequeuedRowsAsync(Tables.Whop, second, Now, None));
        Assert.StartsWith($"re-queued, but its submission {billed} is already confirmed (provider usage bu_1)", (await db.RowsAsync(Tables.Whop)).Single(r => r.Id == reset.Id).Error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("void")]
    [InlineData("released")]
    [InlineData("rejected")]
    public async Task RowUnderAFinalUnbilledSubmission_IsClaimedAgain(string final)
    {
        await using var db = await CreateDatabaseAsync();
        await SeedAsync(db, 2);
        var first = await StartRunAsync(db.Store);
        var submission = Assert.Single(await ClaimAllAsync(db.Store, first)).Claimed.SubmissionId;
        Assert.True(await db.Store.RecordOutcomeAsync(new OutcomeRecord(submission, first, SubmissionStatusText.Parse(final), "test", final, Now), None));
        await db.Store.SettleRowsAsync(submission, first, 100, Now, None);
        foreach (var row in await db.RowsAsync(Tables.Whop))
        {
            await db.SetStatusAsync(Tables.Whop, row.Id, "pending");
        }

        var second = await StartRunAsync(db.Store);
        Assert.Equal(0, await db.Store.HoldRequeuedRowsAsync(Tables.Whop, second, Now, None));
        var again = Assert.Single(await ClaimAllAsync(db.Store, second)).Claimed;

        Assert.Equal(2, again.RowCount);
        Assert.All(await db.RowsAsync(Tables.Whop), r => Assert.Equal(("claimed", (long?)again.SubmissionId), (r.Status, r.SubmissionId)));
    }

    [Fact]
    public async Task RunDeclaredDead_ClaimsNothingMore()
    {
        await using var db = await CreateDatabaseAsync();
        await SeedAsync(db, 5);
        var stale = await StartRunAsync(db.Store);
        Assert.True(await db.OtherProcess().DeclareDeadAsync(stale, "test: its lease lapsed", Now, None));

        await Assert.ThrowsAsync<LeaseLostException>(() => ClaimAllAsync(db.Store, stale, batchSize: 2));

        Assert.All(await db.RowsAsync(Tables.Whop), r => Assert.Equal(("pending", (long?)null), (r.Status, r.SubmissionId)));
    }

    [Fact]
    public async Task RunThatLostItsPreparingSubmission_CannotDecideIt_AndTheRecoverersVoidStands()
    {
        await using var db = await CreateDatabaseAsync();
        await SeedAsync(db, 3);
        var stale = await StartRunAsync(db.Store);
        var store = Assert.IsType<BillingStore>(db.Store);
        var group = Assert.Single(await store.ListPendingGroupsAsync(Tables.Whop, Cutoff, "day", None));
        var request = Request(stale, group);
        var tally = new ClaimTally(group);
        await using (var session = await store.Database.OpenAsync(None))
        {
            await session.InTransactionAsync(async () => tally.SubmissionId = await store.InsertPreparingAsync(session, request, group, None), None);
        }

        // A paused VM: the run's lease lapses; another run declares it dead, adopts its 'preparing' row and voids it.
        var other = db.OtherProcess();
        var recoverer = await StartRunAsync(other, job: "job-b");
        Assert.True(await other.DeclareDeadAsync(stale, "test: its lease lapsed", Now, None));
        var adopted = Assert.Single(await other.AdoptOrphansAsync("acct", recoverer, Now, None));
        Assert.True(await other.RecordOutcomeAsync(new OutcomeRecord(adopted.Id, recoverer, SubmissionStatus.Void, "its run died", "voided", Now), None));
        await other.SettleRowsAsync(adopted.Id, recoverer, 100, Now, None);

        // The stale run wakes up and carries on with its claim.
        await using (var session = await store.Database.OpenAsync(None))
        {
            await Assert.ThrowsAsync<LeaseLostException>(() => session.InTransactionAsync(async () =>
            {
                await store.UpdatePreparingAsync(session, request, tally, None);
                return 0;
            }, None));
            await Assert.ThrowsAsync<LeaseLostException>(() => session.InTransactionAsync(() => store.DecideAsync(session, request, tally, Prepare, None), None));
        }

        var ledger = (await db.Store.GetSubmissionAsync(tally.SubmissionId, None))!;
        Assert.Equal((SubmissionStatus.Void, recoverer), (ledger.Status, ledger.OwnerRunId));
        Assert.All(await db.RowsAsync(Tables.Whop), r => Assert.Equal("pending", r.Status));
    }
}

public sealed class SqliteDbaEditContractTests : DbaEditContractTests
{
    private protected override Task<IStoreTestDatabase> CreateDatabaseAsync() => SqliteStoreTestDatabase.CreateAsync();
}

public sealed class SqliteGroupBatchesDbaEditContractTests : DbaEditContractTests
{
    private protected override Task<IStoreTestDatabase> CreateDatabaseAsync() => SqliteStoreTestDatabase.CreateAsync(SqlitePlan.GroupBatches);
}

/// <summary>
/// A DBA's edit between two claim batches of one group, made exactly there by a trigger (SQLite only: a trigger is
/// the one way to act between two statements of the store's own transactions).
/// </summary>
public sealed class DbaEditBetweenBatchesTests
{
    private static readonly DateTimeOffset Now = new(2026, 1, 15, 12, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset Cutoff = Now.AddHours(-1);

    [Theory]
    [InlineData(nameof(SqlitePlan.Passes))]
    [InlineData(nameof(SqlitePlan.GroupBatches))]
    public async Task RowResetBetweenTwoBatchesOfItsGroup_IsCountedOnce_AndHeld(string plan)
    {
        await using var db = await SqliteStoreTestDatabase.CreateAsync(Enum.Parse<SqlitePlan>(plan));
        for (var i = 0; i < 7; i++)
        {
            await db.InsertWhopAsync($"w{i}", "mem_A", null, "bi_X", null, null, "1", new DateTimeOffset(2026, 1, 15, 9, i, 0, TimeSpan.Zero));
        }

        var rows = await db.RowsAsync(Tables.Whop);
        // When the fourth row is claimed (the second batch of three), the first one (claimed by the first batch) is
        // set back to pending, as a DBA watching "stuck claimed rows" would.
        await ((SqliteStoreTestDatabase)db).ExecuteSqlAsync($"""
            CREATE TRIGGER dba_reset AFTER UPDATE OF billing_status ON whop_usage
            WHEN NEW.id = {rows[3].Id} AND NEW.billing_status = 'claimed'
            BEGIN UPDATE whop_usage SET billing_status = 'pending' WHERE id = {rows[0].Id}; END;
            """);
        var runId = await db.Store.StartRunAsync(new RunRecord("job-a", "acct", "whop_usage", false, Now, Cutoff, Now, TimeSpan.FromMinutes(5), "test-host", 1), CancellationToken.None);
        var group = Assert.Single(await db.Store.ListPendingGroupsAsync(Tables.Whop, Cutoff, "day", CancellationToken.None));
        var rules = new ValidationRules(2, 2, Cutoff.AddDays(-365));

        var (claimed, _) = Assert.Single(await db.Store.ClaimGroupsAsync(new ClaimRequest(runId, "job-a", "acct", Tables.Whop, group, Cutoff, 3, rules, "ubtest-", Now),
            [group], "day", (g, _) => new GroupDecision(SubmissionStatus.Prepared, null, g.LastOccurredAt), CancellationToken.None));

        // Counted once (the provider is sent 7), claimed by no second batch, and billed with its group.
        Assert.Equal((7, 7m), (claimed.RowCount, claimed.Total));
        var after = await db.RowsAsync(Tables.Whop);
        Assert.Equal(("pending", (long?)claimed.SubmissionId), (after[0].Status, after[0].SubmissionId));
        Assert.All(after.Skip(1), r => Assert.Equal(("claimed", (long?)claimed.SubmissionId), (r.Status, r.SubmissionId)));
        Assert.Equal(0, await db.Store.HoldRequeuedRowsAsync(Tables.Whop, runId, Now, CancellationToken.None));
        Assert.True(await db.Store.MarkSentAsync(claimed.SubmissionId, runId, Now, TimeSpan.FromMinutes(1), CancellationToken.None));
        Assert.True(await db.Store.RecordOutcomeAsync(new OutcomeRecord(claimed.SubmissionId, runId, SubmissionStatus.Confirmed, null, "confirmed", Now, "bu_7", null, 7m), CancellationToken.None));
        Assert.Equal(7, await db.Store.SettleConfirmedAsync(Tables.Whop, runId, 3, Now, CancellationToken.None));
        Assert.All(await db.RowsAsync(Tables.Whop), r => Assert.Equal("billed", r.Status));
    }

    [Fact]
    public void ClaimTally_RefusesARowCountedTwice()
    {
        var group = new PendingGroup(new SubmissionTarget("membership_id", "mem_A", "billing_item_id", "bi_X", "quantity"), null, null);
        var tally = new ClaimTally(group) { SubmissionId = 9 };
        UsageRow Row(long id) => new(Tables.Whop, id, "w" + id, "2026-01-15T09:00:00Z", ["mem_A", null, "bi_X", null, null, "1"]);
        var row = Row(5);
        tally.Add(row);
        tally.Add(Row(6));
        tally.SortAndCheckIds();
        tally.Add(row);

        var refused = Assert.Throws<InvalidOperationException>(tally.SortAndCheckIds);
        Assert.Contains("row 5 of mem_A / bi_X was claimed twice into submission 9", refused.Message, StringComparison.Ordinal);
    }
}
