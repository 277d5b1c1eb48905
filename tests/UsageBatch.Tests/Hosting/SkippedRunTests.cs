using Dapper;
using UsageBatch.Billing;
using UsageBatch.Cli;
using UsageBatch.Tests.TestSupport;

namespace UsageBatch.Tests.Hosting;

/// <summary>A run skipped because its job runs elsewhere is its own outcome: one line naming the holder, exit 4, no report files.</summary>
public sealed class SkippedRunTests
{
    [Fact]
    public async Task Run_JobHeldByALiveRun_PrintsOneLineNamingTheHolder_WritesNoReports_StatusShowsTheLease()
    {
        await using var h = await BillingHarness.StartAsync();
        await h.InsertChargebeeAsync("r1", "sub_Acme", "api-calls-USD-monthly", "2", BillingHarness.Earlier());
        var config = CliConfig.Write(h);
        var now = DateTimeOffset.UtcNow;
        await using (var connection = await h.Database.OpenAsync(CancellationToken.None))
        {
            // A live holder: this very process (pid and start), its lease good for four more minutes.
            await connection.ExecuteAsync(
                """
                INSERT INTO ub_run (id, job, provider_account, usage_table, status, scheduled_at, cutoff, started_at, lease_until, host, process_id, process_start)
                VALUES (41, 'chargebee-test', 'chargebee', 'chargebee_usage', 'running', @Now, @Now, @Now, @Lease, @Host, @Pid, @Start);
                INSERT INTO ub_job_lock (job, run_id, lease_until) VALUES ('chargebee-test', 41, @Lease);
                """,
                new { Now = BillingHarness.At(now), Lease = BillingHarness.At(now.AddMinutes(4)), Host = Environment.MachineName, Pid = Environment.ProcessId, Start = ProcessIdentity.CurrentStart });
        }

        var output = new StringWriter();
        var exit = await CliApp.RunAsync(["--config", config, "run", "--job", "chargebee-test"], output, new StringWriter(), CliConfig.Environment);

        Assert.Equal(ExitCodes.AlreadyRunning, exit);
        var line = Assert.Single(output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Matches(@"^chargebee-test: run 42 skipped \(exit 4\) - job chargebee-test is already running: run 41 on .+ \(pid \d+\) since .+Z, lease until .+Z; skipped\s*$", line);
        var reports = Path.Combine(Path.GetDirectoryName(config)!, "reports");
        Assert.False(Directory.Exists(reports) && Directory.EnumerateFiles(reports, "*", SearchOption.AllDirectories).Any(), "a skipped run wrote report files");
        Assert.Equal("skipped", await h.ScalarAsync<string>("SELECT status FROM ub_run WHERE id = 42"));
        Assert.Equal("pending", await h.ScalarAsync<string>("SELECT billing_status FROM chargebee_usage"));

        var status = new StringWriter();
        Assert.Equal(ExitCodes.Ok, await CliApp.RunAsync(["--config", config, "status"], status, new StringWriter(), CliConfig.Environment));
        Assert.Contains("run 41: running (pid", status.ToString(), StringComparison.Ordinal);
        Assert.Contains("alive; lease until", status.ToString(), StringComparison.Ordinal);
        Assert.Contains("run 42: skipped (exit 4)", status.ToString(), StringComparison.Ordinal);
    }
}
