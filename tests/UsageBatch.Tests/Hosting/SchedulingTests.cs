using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using Quartz;
using UsageBatch.Tests.TestSupport;

namespace UsageBatch.Tests.Hosting;

/// <summary>The `serve` host's Quartz schedule, observed through a recording executor on short crons.</summary>
public sealed class SchedulingTests
{
    [Fact]
    public async Task Serve_OneSecondCron_FiresJobForItsScheduledTime()
    {
        using var fixture = new HostFixture("* * * * * ?");
        var executor = new RecordingExecutor(TimeSpan.Zero);
        using var host = fixture.Build(executor);

        await host.StartAsync();
        await Eventually.TrueAsync(() => !executor.Firings.IsEmpty, "the first firing", 4000);
        await host.StopAsync();

        var firing = executor.Firings.First();
        Assert.Equal("job-a", firing.Job);
        Assert.Equal(0, firing.ScheduledAt.Millisecond); // the trigger's scheduled second, not the moment it ran
        Assert.InRange(firing.Started - firing.ScheduledAt, TimeSpan.Zero, TimeSpan.FromSeconds(2));
    }

    [Fact]
    public async Task Serve_SecondTriggerOfRunningJob_NeverOverlaps()
    {
        using var fixture = new HostFixture("* * * * * ?");
        var executor = new RecordingExecutor(TimeSpan.FromMilliseconds(1200)); // longer than the cron's period
        using var host = fixture.Build(executor);
        await host.StartAsync();
        var scheduler = await host.Services.GetRequiredService<ISchedulerFactory>().GetScheduler();
        await scheduler.ScheduleJob(TriggerBuilder.Create().WithIdentity("job-a-extra").ForJob("job-a").WithCronSchedule("* * * * * ?").Build());

        await Eventually.TrueAsync(() => executor.Firings.Count >= 3, "three firings", 8000);
        await host.StopAsync();

        Assert.Equal(1, executor.MaxRunning);
        var firings = executor.Firings.OrderBy(f => f.Started).ToList();
        for (var i = 1; i < firings.Count; i++)
        {
            Assert.True(firings[i].Started >= firings[i - 1].Ended, $"firing {i} started before firing {i - 1} ended");
        }
    }

    /// <summary>
    /// Persistent store on a temp SQLite file: fire once, stop, let two more firings pass while down (by more than the
    /// shrunk misfire threshold), start again. catchUpOnce fires exactly once (never a burst); skip fires nothing.
    /// </summary>
    [Theory]
    [InlineData("catchUpOnce", 1)]
    [InlineData("skip", 0)]
    public async Task Serve_FiringsMissedWhileStopped_AreCaughtUpOnceOrSkipped(string misfire, int expectedOnRestart)
    {
        var now = DateTimeOffset.UtcNow;
        if (now.Second > 50)
        {
            // Keep the three firings inside one minute, so one cron line lists exactly them.
            await Task.Delay(TimeSpan.FromSeconds(61 - now.Second));
        }

        var start = DateTimeOffset.UtcNow;
        var at = new DateTimeOffset(start.Year, start.Month, start.Day, start.Hour, start.Minute, start.Second, TimeSpan.Zero);
        var (first, second, third) = (at.AddSeconds(2), at.AddSeconds(4), at.AddSeconds(5));
        var cron = string.Create(CultureInfo.InvariantCulture,
            $"{first.Second},{second.Second},{third.Second} {at.Minute} * * * ?"); // next due an hour later
        using var fixture = new HostFixture(cron, store: "sqlite", misfire: misfire);

        var before = new RecordingExecutor(TimeSpan.Zero);
        using (var host = fixture.Build(before))
        {
            await host.StartAsync();
            await Eventually.TrueAsync(() => !before.Firings.IsEmpty, "the first firing", 5000);
            await host.StopAsync();
        }

        Assert.Equal(first, Assert.Single(before.Firings).ScheduledAt);
        var missedBy = third.AddSeconds(1) - DateTimeOffset.UtcNow;
        if (missedBy > TimeSpan.Zero)
        {
            await Task.Delay(missedBy);
        }

        var after = new RecordingExecutor(TimeSpan.Zero);
        using (var host = fixture.Build(after))
        {
            await host.StartAsync();
            await Task.Delay(TimeSpan.FromSeconds(2));
            await host.StopAsync();
        }

        Assert.Equal(expectedOnRestart, after.Firings.Count);
    }
}
