using UsageBatch.Reliability;

namespace UsageBatch.Tests.Reliability;

/// <summary>
/// A database briefly locked by someone else (a DBA's open write transaction): the run waits for it (SQLite
/// busy_timeout) and finishes, losing nothing, whether the lock is there before it starts or arrives mid-run.
/// </summary>
[Collection(ReliabilityCollection.Name)]
public sealed class LockedDatabaseTests
{
    [Theory]
    [InlineData(0)]
    [InlineData(900)]
    public async Task Run_DatabaseWriteLockedForSeconds_WaitsAndFinishesLosingNothing(int lockAfterMs)
    {
        await using var world = await ReliabilityWorld.StartAsync(new ReliabilitySettings { MaxInFlight = 1, LeaseDuration = TimeSpan.FromSeconds(20), Timeout = TimeSpan.FromSeconds(5) });
        await using (var seed = await world.OpenAsync())
        {
            await new UsageSeeder(new Random(7)).SeedAsync(seed, 60, 60);
        }

        await using var dba = await world.OpenAsync();
        System.Data.Common.DbTransaction? held = null;
        if (lockAfterMs == 0)
        {
            held = await dba.BeginTransactionAsync(); // BEGIN IMMEDIATE: the write lock
        }

        using var run = world.StartRun(ReliabilityWorld.WhopJob(0), ReliabilityWorld.ChargebeeJob(0));
        if (held is null)
        {
            await Task.Delay(lockAfterMs);
            held = await dba.BeginTransactionAsync();
        }

        using (var touch = dba.CreateCommand())
        {
            touch.Transaction = (Microsoft.Data.Sqlite.SqliteTransaction)held;
            touch.CommandText = "UPDATE whop_usage SET billing_attempts = billing_attempts WHERE id = 1";
            await touch.ExecuteNonQueryAsync();
        }

        await Task.Delay(TimeSpan.FromSeconds(2.5));
        Assert.False(run.Process.HasExited && run.Process.ExitCode != 0, $"the run gave up while the database was locked:\n{run.Output}");
        await held.RollbackAsync();
        await held.DisposeAsync();

        var exit = await run.WaitAsync(TimeSpan.FromMinutes(3));
        Assert.True(exit == 0, $"exit {exit}:\n{run.Output}");
        var check = await InvariantCheck.RunAsync(world, 120);
        Assert.True(check.Ok, check.ToString());
    }
}
