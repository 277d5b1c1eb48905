using Dapper;
using UsageBatch.Reliability;

namespace UsageBatch.Tests.Reliability;

/// <summary>
/// The DBA's edit that used to bill rows twice, through the real binary: a run is killed mid-send with several
/// requests in flight, its claimed rows look stuck, so the DBA sets them back to pending by hand; two more runs
/// follow. No row may end covered by two confirmed provider usages, and each reset row is billed once or held with
/// its reason.
/// </summary>
[Collection(ReliabilityCollection.Name)]
public sealed class DbaResetAfterKillTests
{
    [Theory]
    [InlineData("chargebee")]
    [InlineData("whop")]
    public async Task ClaimedRowsResetByHandAfterAKill_AreNeverBilledTwice(string provider)
    {
        await using var world = await ReliabilityWorld.StartAsync(new ReliabilitySettings
        {
            LatencyMs = 300, MaxInFlight = 4, LeaseDuration = TimeSpan.FromMinutes(5), Timeout = TimeSpan.FromSeconds(5),
        });
        await using (var connection = await world.OpenAsync())
        {
            await new UsageSeeder(new Random(5)).SeedAsync(connection, 400, 1200);
        }

        var table = provider == "whop" ? "whop_usage" : "chargebee_usage";
        var job = provider == "whop" ? ReliabilityWorld.WhopJob(0) : ReliabilityWorld.ChargebeeJob(0);
        using (var run = world.StartRun(job))
        {
            await world.WaitUntilAsync("SELECT COUNT(*) FROM ub_submission WHERE status = 'confirmed'", 3, run);
            await run.KillAsync();
        }

        long reset;
        await using (var connection = await world.OpenAsync())
        {
            reset = await connection.ExecuteAsync($"UPDATE {table} SET billing_status = 'pending' WHERE billing_status = 'claimed'");
        }

        Assert.True(reset > 0, "the kill left no claimed rows to reset");
        for (var i = 0; i < 2; i++)
        {
            using var next = world.StartRun(job);
            var exit = await next.WaitAsync(TimeSpan.FromMinutes(3));
            Assert.True(exit is 0 or 1, $"exit {exit}:\n{next.Output}");
        }

        await using (var connection = await world.OpenAsync())
        {
            // Every row covered by at most one confirmed submission: a row's submission is the one it names, and no
            // other confirmed submission lists it in its row snapshot.
            var confirmed = await connection.QueryAsync<(long Id, string RowIds)>($"SELECT id, row_ids FROM ub_submission WHERE status = 'confirmed' AND usage_table = '{table}'");
            var covered = new Dictionary<long, int>();
            foreach (var (_, rowIds) in confirmed)
            {
                foreach (var id in Expand(rowIds))
                {
                    covered[id] = covered.GetValueOrDefault(id) + 1;
                }
            }

            Assert.Empty(covered.Where(c => c.Value > 1).Select(c => $"row {c.Key} covered by {c.Value} confirmed submissions"));
            var heldWithoutReason = await connection.ExecuteScalarAsync<long>($"SELECT COUNT(*) FROM {table} WHERE billing_status = 'held' AND (billing_error IS NULL OR billing_error = '')");
            Assert.Equal(0, heldWithoutReason);
        }

        await ConcurrentProcessTests.AssertConvergedAsync(world);
    }

    private static IEnumerable<long> Expand(string ranges) =>
        ranges.Split(',', StringSplitOptions.RemoveEmptyEntries).SelectMany(part =>
        {
            var bounds = part.Split('-');
            var from = long.Parse(bounds[0], System.Globalization.CultureInfo.InvariantCulture);
            var to = bounds.Length == 2 ? long.Parse(bounds[1], System.Globalization.CultureInfo.InvariantCulture) : from;
            return Enumerable.Range(0, (int)(to - from + 1)).Select(i => from + i);
        });
}
