using Quartz;

namespace UsageBatch.Configuration;

/// <summary>Accepts Quartz's 6/7-field cron and the 5-field Unix form (minute hour day month weekday).</summary>
internal static class CronText
{
    /// <exception cref="FormatException">A 5-field expression Quartz's Unix parser refuses (its message says why).</exception>
    public static string Normalize(string cron)
    {
        var fields = cron.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (fields.Length != 5)
        {
            return cron.Trim();
        }

        // Quartz's own Unix reading, not a field shuffle: Unix counts weekdays 0-7 from Sunday and Quartz 1-7, so
        // "0 9 * * 1" (Monday) copied across would fire on Sundays; it also sets the '?' Quartz needs.
        return CronExpression.Parse(string.Join(' ', fields), CronFormat.Unix).CronExpressionString;
    }
}
