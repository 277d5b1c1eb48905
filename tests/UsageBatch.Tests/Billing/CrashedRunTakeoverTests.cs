using UsageBatch.Billing;
using UsageBatch.Providers;
using UsageBatch.Tests.TestSupport;

namespace UsageBatch.Tests.Billing;

/// <summary>
/// A run left 'running' by a process of this host that is gone is taken over at once, without waiting for its lease;
/// a live process (even one reached through a reused pid check) and a run of another host are left alone until
/// their lease lapses. The dead run's work is simulated by a run that crashed mid-send; its record is then pointed
/// at the process the case needs.
/// </summary>
public sealed class CrashedRunTakeoverTests
{
    [Fact]
    public async Task Run_HolderProcessGone_TakesOverAtOnce()
    {
        await using var h = await BillingHarness.StartAsync();
        var (job, account, expected) = await CrashMidSendAsync(h);
        await PointDeadRunAtAsync(h, pid: await ExitedProcessIdAsync(), start: "linux:x:1", host: Environment.MachineName);

        // Immediately: no lease has expired.
        var recovery = await h.Run(job, account).ExecuteAsync(DateTimeOffset.UtcNow, CancellationToken.None);

        Assert.Equal((RunOutcome.Succeeded, ExitCodes.Ok), (recovery.Outcome, recovery.ExitCode));
        Assert.True(recovery.Recovered > 0);
        Assert.Equal("dead", await h.ScalarAsync<string>("SELECT status FROM ub_run WHERE id = 1"));
        Assert.Contains("is gone", await h.ScalarAsync<string>("SELECT message FROM ub_run WHERE id = 1"), StringComparison.Ordinal);
        await CrashRecoveryTests.AssertConvergedAsync(h, ProviderKind.Chargebee, expected);
    }

    [Fact]
    public async Task Run_HolderPidReusedByAnotherProcess_IsNotTakenForTheDeadRun_AndIsTakenOver()
    {
        await using var h = await BillingHarness.StartAsync();
        var (job, account, expected) = await CrashMidSendAsync(h);
        // This test process is alive with the recorded pid, but it is not the process that started the run.
        await PointDeadRunAtAsync(h, pid: Environment.ProcessId, start: ProcessIdentity.CurrentStart + "-earlier", host: Environment.MachineName);

        var recovery = await h.Run(job, account).ExecuteAsync(DateTimeOffset.UtcNow, CancellationToken.None);

        Assert.Equal(ExitCodes.Ok, recovery.ExitCode);
        await CrashRecoveryTests.AssertConvergedAsync(h, ProviderKind.Chargebee, expected);
    }

    [Fact]
    public async Task Run_HolderAliveOnThisHost_IsSkippedNamingTheHolder()
    {
        await using var h = await BillingHarness.StartAsync();
        var (job, account, _) = await CrashMidSendAsync(h);
        // The record names this very process (pid and start): it is alive, so the run guard holds.

        var second = await h.Run(job, account).ExecuteAsync(DateTimeOffset.UtcNow, CancellationToken.None);

        Assert.Equal((RunOutcome.Skipped, ExitCodes.AlreadyRunning), (second.Outcome, second.ExitCode));
        Assert.Matches(@"^job chargebee-test is already running: run 1 on .+ \(pid \d+\) since \d{4}-\d\d-\d\dT.+Z, lease until .+Z; skipped$", second.Message);
        Assert.Equal(("skipped", 4L), (await h.ScalarAsync<string>("SELECT status FROM ub_run WHERE id = 2"), await h.ScalarAsync<long>("SELECT exit_code FROM ub_run WHERE id = 2")));
        Assert.Equal("running", await h.ScalarAsync<string>("SELECT status FROM ub_run WHERE id = 1"));
    }

    [Fact]
    public async Task Run_HolderOnAnotherHost_IsTrustedUntilItsLeaseLapses()
    {
        await using var h = await BillingHarness.StartAsync();
        var (job, account, expected) = await CrashMidSendAsync(h);
        await PointDeadRunAtAsync(h, pid: await ExitedProcessIdAsync(), start: "linux:x:1", host: "some-other-host");

        var now = await h.Run(job, account).ExecuteAsync(DateTimeOffset.UtcNow, CancellationToken.None);
        Assert.Equal(ExitCodes.AlreadyRunning, now.ExitCode);

        var later = h.PassTime(job.LeaseDuration + TimeSpan.FromMinutes(1));
        var afterLease = await h.Run(job, account, later).ExecuteAsync(later.GetUtcNow(), CancellationToken.None);
        Assert.Equal(ExitCodes.Ok, afterLease.ExitCode);
        await CrashRecoveryTests.AssertConvergedAsync(h, ProviderKind.Chargebee, expected);
    }

    [Fact]
    public void Describe_RunningRecord_SaysDeadOrLeaseNeverPlainRunning()
    {
        var now = DateTimeOffset.UtcNow;
        var gone = new RunningRun(7, "j", Environment.MachineName, int.MaxValue - 1, "linux:x:1", now, now.AddMinutes(4));
        var alive = gone with { ProcessId = Environment.ProcessId, ProcessStart = ProcessIdentity.CurrentStart };
        var remote = gone with { Host = "elsewhere" };

        Assert.StartsWith("dead (process", RunLiveness.Describe(gone, Environment.MachineName), StringComparison.Ordinal);
        Assert.Contains("lease until", RunLiveness.Describe(alive, Environment.MachineName), StringComparison.Ordinal);
        Assert.Contains("lease until", RunLiveness.Describe(remote, Environment.MachineName), StringComparison.Ordinal);
        // Lapsed by the database's clock (the store answers it with the record), whatever this host's clock says.
        Assert.StartsWith("dead (on elsewhere", RunLiveness.Describe(remote with { LeaseExpired = true }, Environment.MachineName), StringComparison.Ordinal);
    }

    /// <summary>Run 1 crashes after the provider recorded its first send, before the ledger knew: left 'running' and claimed.</summary>
    private static async Task<(UsageBatch.Configuration.JobOptions, UsageBatch.Configuration.ProviderAccountOptions, Dictionary<(string, string), decimal>)> CrashMidSendAsync(BillingHarness h)
    {
        var expected = await CrashRecoveryTests.SeedAsync(h, ProviderKind.Chargebee);
        var job = BillingHarness.Job(ProviderKind.Chargebee);
        var account = h.Account(ProviderKind.Chargebee);
        var crashing = new CrashingStore(h.Store, nameof(UsageBatch.Storage.IBillingStore.RecordOutcomeAsync), 1);
        await h.Run(job, account, store: crashing).ExecuteAsync(DateTimeOffset.UtcNow, CancellationToken.None);
        Assert.True(crashing.Crashed);
        Assert.Equal("running", await h.ScalarAsync<string>("SELECT status FROM ub_run WHERE id = 1"));
        return (job, account, expected);
    }

    private static async Task PointDeadRunAtAsync(BillingHarness h, int pid, string? start, string host)
    {
        await using var connection = await h.Database.OpenAsync(CancellationToken.None);
        await Dapper.SqlMapper.ExecuteAsync(connection, "UPDATE ub_run SET process_id = @pid, process_start = @start, host = @host WHERE id = 1", new { pid, start, host });
    }

    /// <summary>The pid of a process that has just exited (and been reaped): no process has it now.</summary>
    private static async Task<int> ExitedProcessIdAsync()
    {
        using var process = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo("true") { UseShellExecute = false })!;
        await process.WaitForExitAsync();
        Assert.Null(ProcessIdentity.StartOf(process.Id));
        return process.Id;
    }
}
