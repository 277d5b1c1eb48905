using Microsoft.Extensions.Hosting;
using UsageBatch.Cli;
using UsageBatch.Configuration;
using UsageBatch.Hosting;
using UsageBatch.Providers;
using UsageBatch.Tests.TestSupport;

namespace UsageBatch.Tests.Hosting;

/// <summary>Stopping `serve` (what Ctrl+C / SIGTERM do) mid-run: the run stops at a safe point, never between send and settle.</summary>
public sealed class GracefulStopTests
{
    [Fact]
    public async Task Serve_StoppedMidRun_LeavesNothingClaimedAndEverySendSettled()
    {
        await using var h = await BillingHarness.StartAsync();
        for (var day = 0; day < 12; day++)
        {
            // One Chargebee group per UTC day: twelve sends, one at a time, each slowed to 300 ms.
            await h.InsertChargebeeAsync($"r{day}", "sub_Acme", "api-calls-USD-monthly", "2", BillingHarness.Earlier(day * 86400));
        }

        await h.AddFaultAsync(new { method = "POST", pathPrefix = "/api/v2/subscriptions", count = 100, action = "delay", delayMs = 300 });
        var account = h.Account(ProviderKind.Chargebee);
        account.ApiKeyEnv = CliConfig.ChargebeeKeyEnv;
        account.MaxInFlight = 1;
        var job = BillingHarness.Job(ProviderKind.Chargebee);
        job.Cron = "* * * * * ?";
        var folder = Path.GetDirectoryName(h.Database.DataSource)!;
        var options = new AppOptions
        {
            BaseDirectory = folder,
            Database = { ConnectionString = $"Data Source={h.Database.DataSource}" },
            Providers = { [job.Provider] = account },
            Jobs = { job },
            Scheduler = { Store = "memory", ShutdownTimeout = TimeSpan.FromSeconds(20) },
            Reports = { Directory = Path.Combine(folder, "reports") },
        };
        using var host = ServeHost.Build(options, h.Store, null, Serilog.Core.Logger.None,
            loggers => new JobRunner(options, h.Store, h.Store, CliConfig.Environment, TimeProvider.System, loggers));

        await host.StartAsync();
        await WaitUntilAsync(async () => await h.ScalarAsync<long>("SELECT COUNT(*) FROM ub_submission WHERE status = 'confirmed'") >= 2, "two confirmed sends");
        await host.StopAsync(); // what the host does on SIGTERM

        Assert.Equal(0L, await h.ScalarAsync<long>("SELECT COUNT(*) FROM chargebee_usage WHERE billing_status = 'claimed'"));
        Assert.Equal(0L, await h.ScalarAsync<long>("SELECT COUNT(*) FROM ub_submission WHERE status IN ('preparing', 'prepared', 'sent') OR settled_at IS NULL"));
        var (status, exitCode) = (await h.ScalarAsync<string>("SELECT status FROM ub_run ORDER BY id LIMIT 1"), await h.ScalarAsync<long>("SELECT exit_code FROM ub_run ORDER BY id LIMIT 1"));
        Assert.Equal(("aborted", 3L), (status, exitCode));
        var rows = await h.RowsAsync(UsageBatch.Storage.Tables.Chargebee);
        var billed = rows.Where(r => r.BillingStatus == "billed").ToList();
        Assert.All(rows, r => Assert.Contains(r.BillingStatus, new[] { "billed", "pending" }));
        Assert.NotEmpty(billed);
        Assert.Contains(rows, r => r.BillingStatus == "pending"); // stopped before the end, the rest released
        // Everything the provider recorded was settled onto exactly its rows, and nothing else was billed.
        var providerSide = (await h.ProviderLedgerAsync()).Chargebee;
        Assert.Equal(providerSide.Select(u => u.Id).Order(), billed.Select(r => r.ProviderUsageId!).Order());
    }

    private static async Task WaitUntilAsync(Func<Task<bool>> condition, string what)
    {
        var deadline = Environment.TickCount64 + 15000;
        while (!await condition())
        {
            Assert.True(Environment.TickCount64 < deadline, $"timed out waiting for {what}");
            await Task.Delay(20);
        }
    }
}
