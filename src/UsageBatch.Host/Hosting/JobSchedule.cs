using Quartz;
using UsageBatch.Configuration;

namespace UsageBatch.Hosting;

/// <summary>How a jobs.json job maps onto a Quartz cron schedule: expression, time zone and misfire policy.</summary>
internal static class JobSchedule
{
    public static TimeZoneInfo TimeZone(JobOptions job) => TimeZoneInfo.FindSystemTimeZoneById(job.TimeZone);

    /// <summary>The job's cron in Quartz's form (a 5-field Unix cron is normalized), read in the job's time zone.</summary>
    public static CronExpression Cron(JobOptions job) => new(CronText.Normalize(job.Cron), TimeZone(job));

    /// <summary>
    /// <c>catchUpOnce</c>: after downtime fire once now, then resume the schedule (never a burst of every missed
    /// firing, which is what IgnoreMisfires would do). <c>skip</c>: drop the missed firings, wait for the next one.
    /// </summary>
    public static CronTriggerMisfireInstruction Misfire(JobOptions job) => job.Misfire switch
    {
        "skip" => CronTriggerMisfireInstruction.DoNothing,
        _ => CronTriggerMisfireInstruction.FireAndProceed,
    };

    /// <summary>The next firing after <paramref name="now"/> by the cron alone (no scheduler, no store).</summary>
    public static DateTimeOffset? NextFireTime(JobOptions job, DateTimeOffset now) => Cron(job).GetNextValidTimeAfter(now);
}
