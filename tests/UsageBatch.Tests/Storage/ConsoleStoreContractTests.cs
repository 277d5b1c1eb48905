using UsageBatch.Billing;
using UsageBatch.Storage;
using UsageBatch.Tests.TestSupport;
using UsageBatch.Usage;

namespace UsageBatch.Tests.Storage;

/// <summary>The operator console's queries (<see cref="IConsoleStore"/>), written once and run per database like the store contract.</summary>
public abstract class ConsoleStoreContractTests
{
    private static readonly DateTimeOffset Now = new(2026, 1, 15, 12, 0, 0, TimeSpan.Zero);
    private static readonly CancellationToken None = CancellationToken.None;

    private protected abstract Task<IStoreTestDatabase> CreateDatabaseAsync();

    private static IConsoleStore Console(IStoreTestDatabase db) => (IConsoleStore)db.Store;

    private static async Task<long> RunAsync(IBillingStore store, string job, string outcome, int minute)
    {
        var at = Now.AddMinutes(minute);
        var id = await store.StartRunAsync(new RunRecord(job, "acct", "whop_usage", false, at, at.AddHours(-1), at, TimeSpan.FromMinutes(5), "host-a", 1), None);
        await store.FinishRunAsync(id, RunOutcomeText.Parse(outcome), outcome == "succeeded" ? 0 : 1, outcome, """{"rowsBilled":3}""", at.AddSeconds(30), None);
        return id;
    }

    [StoreFact]
    public async Task Runs_FilteredByJobAndOutcome_NewestFirstPagedWithTheTotal()
    {
        await using var db = await CreateDatabaseAsync();
        var a1 = await RunAsync(db.Store, "job-a", "succeeded", 0);
        var b1 = await RunAsync(db.Store, "job-b", "attention", 1);
        var a2 = await RunAsync(db.Store, "job-a", "aborted", 2);

        var all = await Console(db).RunsAsync(null, null, 0, 10, None);
        var jobA = await Console(db).RunsAsync("job-a", null, 0, 10, None);
        var attention = await Console(db).RunsAsync(null, "attention", 0, 10, None);
        var secondPage = await Console(db).RunsAsync(null, null, 1, 1, None);

        Assert.Equal([a2, b1, a1], all.Runs.Select(r => r.Id));
        Assert.Equal(3L, all.Total);
        Assert.Equal([a2, a1], jobA.Runs.Select(r => r.Id));
        Assert.Equal(2L, jobA.Total);
        Assert.Equal(b1, Assert.Single(attention.Runs).Id);
        Assert.Equal((b1, 3L), (Assert.Single(secondPage.Runs).Id, secondPage.Total));
        var run = all.Runs[0];
        Assert.Equal(("job-a", RunOutcome.Aborted, 1, Now.AddMinutes(2), Now.AddMinutes(2).AddSeconds(30), """{"rowsBilled":3}"""),
            (run.Job, run.Status, run.ExitCode, run.StartedAt, run.FinishedAt, run.SummaryJson));
    }

    [StoreFact]
    public async Task LastRun_CompletedOnly_SkipsAbortedRunsAndOtherJobs()
    {
        await using var db = await CreateDatabaseAsync();
        var success = await RunAsync(db.Store, "job-a", "attention", 0);
        var aborted = await RunAsync(db.Store, "job-a", "aborted", 1);
        await RunAsync(db.Store, "job-b", "succeeded", 2);

        Assert.Equal(aborted, (await Console(db).LastRunAsync("job-a", completedOnly: false, None))!.Id);
        Assert.Equal(success, (await Console(db).LastRunAsync("job-a", completedOnly: true, None))!.Id);
        Assert.Null(await Console(db).LastRunAsync("job-c", completedOnly: false, None));
    }

    [StoreFact]
    public async Task OldestPending_TheEarliestPendingRow_BilledRowsIgnored()
    {
        await using var db = await CreateDatabaseAsync();
        Assert.Null(await Console(db).OldestPendingAsync(Tables.Whop, None));
        await db.InsertWhopAsync("w1", "mem_A", null, "bi_X", null, null, "1", Now.AddHours(-9));
        await db.InsertWhopAsync("w2", "mem_A", null, "bi_X", null, null, "1", Now.AddHours(-5));
        await db.InsertWhopAsync("w3", "mem_A", null, "bi_X", null, null, "1", Now.AddHours(-3));
        await db.SetStatusAsync(Tables.Whop, (await db.RowsAsync(Tables.Whop)).Single(r => r.SourceKey == "w1").Id, "billed");

        Assert.Equal(Now.AddHours(-5), await Console(db).OldestPendingAsync(Tables.Whop, None));
    }

    [StoreFact]
    public async Task ExceptionRows_RejectedAndHeldRows_ListedNewestFirstWithReasonCustomerAndItem()
    {
        await using var db = await CreateDatabaseAsync();
        await db.InsertWhopAsync("w1", "<script>x</script>", null, "bi_X", null, null, "1", Now.AddHours(-3));
        await db.InsertWhopAsync("w2", null, "biz_B", null, "api-calls", null, "1", Now.AddHours(-3));
        await db.InsertChargebeeAsync("c1", "sub_A", "price_A", "1", Now.AddHours(-3));
        var rows = await db.RowsAsync(Tables.Whop);
        var runId = await db.Store.StartRunAsync(new RunRecord("job-a", "acct", "whop_usage", false, Now, Now.AddHours(-1), Now, TimeSpan.FromMinutes(5), "host-a", 1), None);
        await db.Store.RejectRowsAsync(Tables.Whop, runId, [new RowRejection(rows[0].Id, "w1", "membership_id is bad")], Now, None);
        await db.SetStatusAsync(Tables.Whop, rows[1].Id, "held");

        var listed = await Console(db).ExceptionRowsAsync(Tables.Whop, 10, None);

        Assert.Equal([rows[1].Id, rows[0].Id], listed.Select(r => r.RowId));
        var rejected = listed[1];
        Assert.Equal(("w1", "rejected", "membership_id is bad", runId, "<script>x</script>", "bi_X", (string?)null),
            (rejected.SourceKey, rejected.Status, rejected.Reason, rejected.RunId, rejected.Customer, rejected.Item, rejected.Note));
        Assert.Equal(("held", "biz_B", "api-calls"), (listed[0].Status, listed[0].Customer, listed[0].Item));
        Assert.Empty(await Console(db).ExceptionRowsAsync(Tables.Chargebee, 10, None));
        Assert.Empty(await Console(db).ExceptionGroupsAsync(Tables.Whop, 10, None));
    }

    [StoreFact]
    public async Task SchemaVersion_AfterApply_IsTheNewestScript()
    {
        await using var db = await CreateDatabaseAsync();

        Assert.Equal(SchemaScripts.For(db.Store.Dialect).Max(s => s.Version), await Console(db).SchemaVersionAsync(None));
    }
}

/// <summary>The console's queries on the embedded SQLite database: always runs.</summary>
public sealed class SqliteConsoleStoreContractTests : ConsoleStoreContractTests
{
    private protected override Task<IStoreTestDatabase> CreateDatabaseAsync() => SqliteStoreTestDatabase.CreateAsync();
}

/// <summary>The console's queries on SQL Server: runs when USAGEBATCH_TEST_SQLSERVER holds a connection string, skipped otherwise.</summary>
[RequiresSqlServer]
public sealed class SqlServerConsoleStoreContractTests : ConsoleStoreContractTests
{
    private protected override async Task<IStoreTestDatabase> CreateDatabaseAsync() => await SqlServerStoreTestDatabase.CreateAsync();
}
