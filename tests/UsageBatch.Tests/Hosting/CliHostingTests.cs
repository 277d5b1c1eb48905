using System.Diagnostics;
using UsageBatch.Billing;
using UsageBatch.Cli;
using UsageBatch.Tests.TestSupport;

namespace UsageBatch.Tests.Hosting;

/// <summary>The verbs an operator or an external scheduler runs: `run` beside a running job, `status`, bad config for `serve`.</summary>
public sealed class CliHostingTests
{
    [Fact]
    public async Task Run_SameJobRunningElsewhere_ExitsFourPromptlySayingAlreadyRunning()
    {
        await using var h = await BillingHarness.StartAsync();
        await h.InsertWhopAsync("a", "mem_Alpha01", null, "bi_ApiCalls01", null, null, "5", BillingHarness.Earlier(1));
        var config = CliConfig.Write(h);
        // Another process (a `serve` or a second `run`) holds the job's lock row with a live lease.
        Assert.True(await h.Store.TryAcquireJobLockAsync("whop-test", 4242, TimeSpan.FromMinutes(5), CancellationToken.None));
        using var output = new StringWriter();
        using var error = new StringWriter();

        var clock = Stopwatch.StartNew();
        var exit = await CliApp.RunAsync(["run", "--job", "whop-test", "--config", config], output, error, CliConfig.Environment);

        Assert.Equal(ExitCodes.AlreadyRunning, exit);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), $"took {clock.Elapsed}");
        Assert.Contains("whop-test is already running: run 4242", output.ToString(), StringComparison.Ordinal);
        Assert.Equal("pending", Assert.Single(await h.RowsAsync(UsageBatch.Storage.Tables.Whop)).BillingStatus);
    }

    [Fact]
    public async Task Status_EnabledJob_ShowsNextFireTimeFromCronAndZone()
    {
        await using var h = await BillingHarness.StartAsync();
        var config = CliConfig.Write(h, cron: "15 3 * * *");
        using var output = new StringWriter();
        using var error = new StringWriter();

        var exit = await CliApp.RunAsync(["status", "--config", config], output, error, CliConfig.Environment);

        Assert.Equal(ExitCodes.Ok, exit);
        var now = DateTimeOffset.UtcNow;
        var next = new DateTimeOffset(now.Year, now.Month, now.Day, 3, 15, 0, TimeSpan.Zero);
        next = next > now ? next : next.AddDays(1);
        Assert.Contains($"whop-test (whop_usage): next fire {next:yyyy-MM-dd}T03:15:00Z (", output.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Serve_DefaultVerbWithBadConfig_ExitsTwoListingKeys()
    {
        await using var h = await BillingHarness.StartAsync();
        var config = CliConfig.Write(h, cron: "not a cron");
        using var output = new StringWriter();
        using var error = new StringWriter();

        var exit = await CliApp.RunAsync(["--config", config], output, error, CliConfig.Environment);

        Assert.Equal(ExitCodes.BadConfiguration, exit);
        Assert.Contains("jobs[0].cron:", error.ToString(), StringComparison.Ordinal);
        Assert.Contains("jobs[1].cron:", error.ToString(), StringComparison.Ordinal);
    }
}
