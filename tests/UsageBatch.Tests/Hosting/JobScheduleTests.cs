using Quartz;
using UsageBatch.Configuration;
using UsageBatch.Hosting;

namespace UsageBatch.Tests.Hosting;

public sealed class JobScheduleTests
{
    [Theory]
    [InlineData("15 3 * * *", "Etc/UTC", "2025-01-10T03:15:00Z")]
    [InlineData("0 15 3 * * ?", "Etc/UTC", "2025-01-10T03:15:00Z")]
    [InlineData("15 3 * * *", "Europe/Berlin", "2025-01-10T02:15:00Z")] // CET is UTC+1 in January
    [InlineData("15 3 * * *", "America/New_York", "2025-01-10T08:15:00Z")]
    [InlineData("0 9 * * 1", "Etc/UTC", "2025-01-13T09:00:00Z")] // 5-field weekday: Monday
    public void NextFireTime_CronInTimeZone_IsComputedWithoutAScheduler(string cron, string zone, string expected)
    {
        var job = new JobOptions { Cron = cron, TimeZone = zone };

        var next = JobSchedule.NextFireTime(job, DateTimeOffset.Parse("2025-01-10T00:00:00Z", System.Globalization.CultureInfo.InvariantCulture));

        Assert.Equal(DateTimeOffset.Parse(expected, System.Globalization.CultureInfo.InvariantCulture), next);
    }

    [Theory]
    [InlineData("catchUpOnce", CronTriggerMisfireInstruction.FireAndProceed)]
    [InlineData("skip", CronTriggerMisfireInstruction.DoNothing)]
    public void Misfire_Policy_MapsToQuartzInstructionNeverABurst(string policy, CronTriggerMisfireInstruction expected)
    {
        Assert.Equal(expected, JobSchedule.Misfire(new JobOptions { Misfire = policy }));
        Assert.NotEqual(CronTriggerMisfireInstruction.IgnoreMisfires, JobSchedule.Misfire(new JobOptions { Misfire = policy }));
    }
}
