using UsageBatch.Billing;
using UsageBatch.Reports;
using UsageBatch.Storage;
using UsageBatch.Usage;

namespace UsageBatch.Tests.Storage;

/// <summary>
/// Every final submission is carried by exactly one written report, however many runs die in a row: a run that
/// ends takes what no written report carries yet, and a report that was never written gives its submissions to the
/// next run that ends.
/// </summary>
public abstract class ReportCarryContractTests
{
    private static readonly DateTimeOffset Now = new(2026, 1, 15, 12, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset Cutoff = Now.AddHours(-1);
    private static readonly CancellationToken None = CancellationToken.None;

    private protected abstract Task<IStoreTestDatabase> CreateDatabaseAsync();

    private static Task<long> StartRunAsync(IBillingStore store) =>
        store.StartRunAsync(new RunRecord("job-a", "acct", "whop_usage", false, Now, Cutoff, Now, TimeSpan.FromMinutes(5), "test-host", 1), None);

    /// <summary>A run that confirms and settles one group, then dies before its report (or finishes, if told to).</summary>
    private static async Task<(long RunId, long SubmissionId)> BillOneGroupAsync(IStoreTestDatabase db, string member, bool killed)
    {
        await db.InsertWhopAsync(member, member, null, "bi_X", null, null, "2", new DateTimeOffset(2026, 1, 15, 9, 0, 0, TimeSpan.Zero));
        var runId = await StartRunAsync(db.Store);
        var groups = (await db.Store.ListPendingGroupsAsync(Tables.Whop, Cutoff, "day", None)).Where(g => g.Target.CustomerId == member).ToList();
        var rules = new ValidationRules(2, 2, Cutoff.AddDays(-365));
        var (claimed, _) = Assert.Single(await db.Store.ClaimGroupsAsync(new ClaimRequest(runId, "job-a", "acct", Tables.Whop, groups[0], Cutoff, 100, rules, "ubtest-", Now),
            groups, "day", (g, _) => new GroupDecision(SubmissionStatus.Prepared, null, g.LastOccurredAt), None));
        Assert.True(await db.Store.MarkSentAsync(claimed.SubmissionId, runId, Now, TimeSpan.FromMinutes(1), None));
        Assert.True(await db.Store.RecordOutcomeAsync(new OutcomeRecord(claimed.SubmissionId, runId, SubmissionStatus.Confirmed, null, "confirmed", Now, "bu_" + member, "rec_" + member, 2m), None));
        await db.Store.SettleRowsAsync(claimed.SubmissionId, runId, 100, Now, None);
        if (killed)
        {
            // kill -9: its process is gone; the next run on this host declares it dead.
            Assert.True(await db.Store.DeclareDeadAsync(runId, "test: killed", Now, None));
        }

        return (runId, claimed.SubmissionId);
    }

    private static async Task<IReadOnlyList<long>> ReportedAsync(IStoreTestDatabase db, long runId) =>
        (await Assert.IsAssignableFrom<IReportStore>(db.Store).SubmissionsForReportAsync(runId, None)).Select(s => s.Submission.Id).ToList();

    [Fact]
    public async Task ChainOfRunsDyingBeforeTheirReports_TheNextRunThatWritesOneCarriesEverySubmissionOnce()
    {
        await using var db = await CreateDatabaseAsync();
        var (first, firstSubmission) = await BillOneGroupAsync(db, "mem_A", killed: true);
        var (second, secondSubmission) = await BillOneGroupAsync(db, "mem_B", killed: true);

        // A third run ends but cannot write its report (a full disk, an unwritable folder).
        var third = await StartRunAsync(db.Store);
        Assert.Equal(2, await db.Store.CarryUnreportedAsync("acct", third, Now, None));
        await db.Store.FinishRunAsync(third, RunOutcome.Succeeded, 0, null, "{}", Now, None);
        await db.Store.MarkReportFailedAsync(third, "report not written", None);

        // The fourth writes its report: it carries both again, with each confirmation as its own event.
        var fourth = await StartRunAsync(db.Store);
        Assert.Equal(2, await db.Store.CarryUnreportedAsync("acct", fourth, Now, None));
        await db.Store.FinishRunAsync(fourth, RunOutcome.Succeeded, 0, null, "{}", Now, None);
        await db.Store.MarkReportWrittenAsync(fourth, Now, None);

        var fifth = await StartRunAsync(db.Store);
        Assert.Equal(0, await db.Store.CarryUnreportedAsync("acct", fifth, Now, None));

        Assert.Equal(new[] { firstSubmission, secondSubmission }, await ReportedAsync(db, fourth));
        Assert.Empty(await ReportedAsync(db, fifth));
        Assert.Equal(("attention", 1L), await RunOutcomeAsync(db, third));
        var report = (await new RunReportBuilder(Assert.IsAssignableFrom<IReportStore>(db.Store), new ReportDefaults("USD", 4000, 5000)).BuildAsync(fourth, None))!;
        Assert.All(report.Submissions, s =>
        {
            Assert.Equal(("confirmed", 2m), (s.Status, s.EchoedTotal));
            Assert.NotNull(s.FinishedForRun);
        });
        Assert.Equal(new[] { first, second }, report.Submissions.Select(s => s.FinishedForRun!.Value));
    }

    [Fact]
    public async Task ARunStillRunning_KeepsItsOwnSubmissionsForItsOwnReport()
    {
        await using var db = await CreateDatabaseAsync();
        var (live, submission) = await BillOneGroupAsync(db, "mem_A", killed: false);
        var other = await StartRunAsync(db.OtherProcess());

        Assert.Equal(0, await db.OtherProcess().CarryUnreportedAsync("acct", other, Now, None));
        Assert.Empty(await ReportedAsync(db, other));
        Assert.Equal(0, await db.Store.CarryUnreportedAsync("acct", live, Now, None));
        Assert.Equal(new[] { submission }, await ReportedAsync(db, live));
    }

    private static async Task<(string, long)> RunOutcomeAsync(IStoreTestDatabase db, long runId)
    {
        var run = (await Assert.IsAssignableFrom<IReportStore>(db.Store).GetRunAsync(runId, None))!;
        return (run.Status, run.ExitCode ?? -1);
    }
}

public sealed class SqliteReportCarryContractTests : ReportCarryContractTests
{
    private protected override Task<IStoreTestDatabase> CreateDatabaseAsync() => SqliteStoreTestDatabase.CreateAsync();
}
