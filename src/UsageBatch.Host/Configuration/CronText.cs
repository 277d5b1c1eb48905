namespace UsageBatch.Configuration;

/// <summary>Accepts Quartz's 6/7-field cron and the 5-field Unix form (minute hour day month weekday).</summary>
internal static class CronText
{
    public static string Normalize(string cron)
    {
        var fields = cron.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (fields.Length != 5)
        {
            return cron.Trim();
        }

        // Unix: "m h dom mon dow" → Quartz: "0 m h dom mon dow" with one of dom/dow as '?' (Quartz requires it).
        var (dom, dow) = (fields[2], fields[4]);
        if (dow == "*")
        {
            dow = "?";
        }
        else if (dom == "*")
        {
            dom = "?";
        }

        return $"0 {fields[0]} {fields[1]} {dom} {fields[3]} {dow}";
    }
}
