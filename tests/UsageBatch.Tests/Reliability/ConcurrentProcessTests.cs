using UsageBatch.Reliability;

namespace UsageBatch.Tests.Reliability;

/// <summary>
/// I7 with real processes: two and four `usagebatch run` started together on the same table never double-bill.
/// With the run guard (same job) the others skip at once with exit 4; past the guard (each process a different job
/// on the same provider account and table) the claims alone keep them apart. One send at a time and 120–250 ms of
/// provider latency keep each run busy for seconds, so the processes really overlap.
/// </summary>
[Collection(ReliabilityCollection.Name)]
public sealed class ConcurrentProcessTests
{
    [Theory]
    [InlineData("whop", 2)]
    [InlineData("chargebee", 4)]
    public async Task Runs_SameJobStartedTogether_OneBillsTheOthersExit4Promptly(string provider, int processes)
    {
        // Slower answers: the billing run must still be busy when the last process starts, even on a loaded machine.
        await using var world = await StartWorldAsync(latencyMs: 250);

        var runs = Enumerable.Range(0, processes).Select(_ => world.StartRun(Job(provider, 0))).ToList();
        var exits = await Task.WhenAll(runs.Select(r => r.WaitAsync(TimeSpan.FromMinutes(3))));

        var output = string.Join("\n---\n", runs.Select(r => r.Output));
        Assert.True(exits.All(e => e is 0 or 4), $"exits {string.Join(",", exits)}:\n{output}");
        Assert.Contains(4, exits);
        var billers = runs.Where((_, i) => exits[i] == 0).ToList();
        Assert.NotEmpty(billers);
        var skipped = runs.Where((_, i) => exits[i] == 4).ToList();
        Assert.All(skipped, s => Assert.True(s.Exited < billers.Max(b => b.Exited), "a skipped run waited for the running one"));
        Assert.All(skipped, s => Assert.Contains("already running", s.Output, StringComparison.Ordinal));
        await AssertConvergedAsync(world);
        runs.ForEach(r => r.Dispose());
    }

    [Theory]
    [InlineData("whop", 4)]
    [InlineData("chargebee", 2)]
    public async Task Runs_GuardBypassedByDistinctJobsOnOneTable_NeverDoubleBill(string provider, int processes)
    {
        await using var world = await StartWorldAsync();

        var runs = Enumerable.Range(0, processes).Select(n => world.StartRun(Job(provider, n))).ToList();
        var exits = await Task.WhenAll(runs.Select(r => r.WaitAsync(TimeSpan.FromMinutes(3))));

        Assert.True(exits.All(e => e == 0), $"exits {string.Join(",", exits)}:\n{string.Join("\n---\n", runs.Select(r => r.Output))}");
        await AssertConvergedAsync(world);
        runs.ForEach(r => r.Dispose());
    }

    private static string Job(string provider, int n) => provider == "whop" ? ReliabilityWorld.WhopJob(n) : ReliabilityWorld.ChargebeeJob(n);

    private static async Task<ReliabilityWorld> StartWorldAsync(int latencyMs = 120)
    {
        var world = await ReliabilityWorld.StartAsync(new ReliabilitySettings { LatencyMs = latencyMs, MaxInFlight = 1, LeaseDuration = TimeSpan.FromSeconds(20), Timeout = TimeSpan.FromSeconds(5) });
        await using var connection = await world.OpenAsync();
        await new UsageSeeder(new Random(42)).SeedAsync(connection, 60, 60);
        return world;
    }

    internal static async Task AssertConvergedAsync(ReliabilityWorld world)
    {
        // Whatever one table's runs left, the other table is billed by one more run; then everything must hold.
        using var rest = world.StartRun(ReliabilityWorld.WhopJob(5), ReliabilityWorld.ChargebeeJob(5));
        Assert.Equal(0, await rest.WaitAsync(TimeSpan.FromMinutes(3)));
        var check = await InvariantCheck.RunAsync(world, 120);
        Assert.True(check.Ok, check.ToString());
    }
}
