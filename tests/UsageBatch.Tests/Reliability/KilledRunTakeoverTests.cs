using System.Diagnostics;
using Dapper;
using UsageBatch.Reliability;

namespace UsageBatch.Tests.Reliability;

/// <summary>
/// kill -9 of a real `usagebatch run` mid-send, then an immediate `run` of the same job on the same host: the dead
/// run's process is gone, so the new run takes over at once (no exit 4, no wait for the five-minute lease) and the
/// tables converge to I1–I3.
/// </summary>
[Collection(ReliabilityCollection.Name)]
public sealed class KilledRunTakeoverTests
{
    [Theory]
    [InlineData("chargebee")]
    [InlineData("whop")]
    public async Task Run_RightAfterKill9_RecoversWithoutWaitingForTheLease(string provider)
    {
        await using var world = await ReliabilityWorld.StartAsync(new ReliabilitySettings
        {
            LatencyMs = 200, MaxInFlight = 1, LeaseDuration = TimeSpan.FromMinutes(5), Timeout = TimeSpan.FromSeconds(5),
        });
        await using (var connection = await world.OpenAsync())
        {
            await new UsageSeeder(new Random(7)).SeedAsync(connection, 60, 60);
        }

        var job = provider == "whop" ? ReliabilityWorld.WhopJob(0) : ReliabilityWorld.ChargebeeJob(0);
        var first = world.StartRun(job);
        await WaitForSendsAsync(world, first, 3);
        await first.KillAsync();
        await using (var connection = await world.OpenAsync())
        {
            Assert.Equal("running", await connection.ExecuteScalarAsync<string>("SELECT status FROM ub_run ORDER BY id LIMIT 1"));
        }

        var clock = Stopwatch.StartNew();
        using var second = world.StartRun(job);
        var exit = await second.WaitAsync(TimeSpan.FromMinutes(3));

        Assert.True(exit is 0 or 1, $"exit {exit}:\n{second.Output}");
        Assert.True(clock.Elapsed < TimeSpan.FromMinutes(2), $"took {clock.Elapsed}");
        await using (var connection = await world.OpenAsync())
        {
            var dead = await connection.QuerySingleAsync<(string Status, string Message)>("SELECT status, message FROM ub_run ORDER BY id LIMIT 1");
            Assert.Equal("dead", dead.Status);
            Assert.Contains("is gone", dead.Message, StringComparison.Ordinal);
        }

        await ConcurrentProcessTests.AssertConvergedAsync(world);
        first.Dispose();
    }

    private static async Task WaitForSendsAsync(ReliabilityWorld world, ChildRun run, int sends)
    {
        var deadline = Environment.TickCount64 + 60_000;
        while (true)
        {
            await using (var connection = await world.OpenAsync())
            {
                if (await connection.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM ub_submission WHERE first_sent_at IS NOT NULL") >= sends)
                {
                    return;
                }
            }

            Assert.False(run.Process.HasExited, $"the run ended before it was killed:\n{run.Output}");
            Assert.True(Environment.TickCount64 < deadline, $"no sends within a minute:\n{run.Output}");
            await Task.Delay(25);
        }
    }
}
