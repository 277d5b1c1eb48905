using System.Diagnostics;
using UsageBatch.Billing;
using UsageBatch.Providers;
using UsageBatch.Tests.TestSupport;

namespace UsageBatch.Tests.Billing;

/// <summary>
/// A stop while the run waits for its rate-limit window (Chargebee's default pacing leaves a run waiting most of a
/// minute) is a safe point: nothing is in flight, so the run stops at once, releases what it never sent and frees
/// its guard, and the next run is not skipped.
/// </summary>
public sealed class StopDuringPacedWaitTests
{
    [Theory]
    [InlineData("chargebee")]
    [InlineData("whop")]
    public async Task Run_StoppedWhileWaitingForItsWindow_ExitsAtOnceReleasesTheRestAndFreesTheGuard(string providerName)
    {
        var kind = providerName == "whop" ? ProviderKind.Whop : ProviderKind.Chargebee;
        await using var h = await BillingHarness.StartAsync();
        for (var day = 0; day < 8; day++)
        {
            // One group per day (Chargebee) / per customer (Whop): eight sends, two allowed per minute.
            if (kind == ProviderKind.Whop)
            {
                await h.InsertWhopAsync($"r{day}", day % 2 == 0 ? "mem_Alpha01" : "mem_Bravo02", null, day < 4 ? "bi_ApiCalls01" : "bi_StorageGb02", null, null, "3", BillingHarness.Earlier(day));
            }
            else
            {
                await h.InsertChargebeeAsync($"r{day}", "sub_Acme", "api-calls-USD-monthly", "2.5", BillingHarness.Earlier(day * 86400));
            }
        }

        var account = h.Account(kind);
        // Two sends per window; a Chargebee run first reads its subscription's terms, which shares the budget.
        account.RequestsPerWindow = kind == ProviderKind.Chargebee ? 3 : 2;
        account.Window = TimeSpan.FromMinutes(1);
        account.MaxInFlight = 4;
        var job = BillingHarness.Job(kind);
        using var stop = new CancellationTokenSource();
        var running = h.Run(job, account).ExecuteAsync(DateTimeOffset.UtcNow, stop.Token);
        await WaitUntilAsync(async () => await h.ScalarAsync<long>("SELECT COUNT(*) FROM ub_submission WHERE status = 'confirmed'") >= 2, running);
        await Task.Delay(200); // the other sends are now waiting for the window

        var clock = Stopwatch.StartNew();
        await stop.CancelAsync();
        var summary = await running.WaitAsync(TimeSpan.FromSeconds(20));

        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5), $"the stop took {clock.Elapsed}");
        Assert.Equal((RunOutcome.Aborted, ExitCodes.Aborted), (summary.Outcome, summary.ExitCode));
        Assert.Equal(2, summary.Confirmed);
        Assert.Equal(summary.Groups - 2, summary.Voided); // each unsent group counted once, as voided
        Assert.Equal(0, summary.Unresolved);
        Assert.Equal(0L, await h.ScalarAsync<long>($"SELECT COUNT(*) FROM {(kind == ProviderKind.Whop ? "whop_usage" : "chargebee_usage")} WHERE billing_status = 'claimed'"));
        Assert.Equal(0L, await h.ScalarAsync<long>("SELECT COUNT(*) FROM ub_submission WHERE settled_at IS NULL"));
        Assert.Equal(0L, await h.ScalarAsync<long>("SELECT COUNT(*) FROM ub_job_lock"));
        Assert.Equal(2, (await h.ProviderLedgerAsync()) is var (whop, chargebee) ? (kind == ProviderKind.Whop ? whop : chargebee).Count : -1);

        // The next run is not skipped: it bills the rest.
        var next = await h.Run(job, h.Account(kind)).ExecuteAsync(DateTimeOffset.UtcNow, CancellationToken.None);
        Assert.Equal((RunOutcome.Succeeded, ExitCodes.Ok), (next.Outcome, next.ExitCode));
        Assert.Equal(summary.Groups - 2, next.Confirmed);
        var rows = await h.RowsAsync(kind == ProviderKind.Whop ? UsageBatch.Storage.Tables.Whop : UsageBatch.Storage.Tables.Chargebee);
        Assert.All(rows, r => Assert.Equal("billed", r.BillingStatus));
    }

    private static async Task WaitUntilAsync(Func<Task<bool>> condition, Task running)
    {
        var deadline = Environment.TickCount64 + 15000;
        while (!await condition())
        {
            Assert.False(running.IsCompleted, "the run ended before it reached its window");
            Assert.True(Environment.TickCount64 < deadline, "timed out waiting for the first sends");
            await Task.Delay(20);
        }
    }
}
