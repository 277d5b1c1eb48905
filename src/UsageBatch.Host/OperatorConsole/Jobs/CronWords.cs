using System.Globalization;

namespace UsageBatch.OperatorConsole.Jobs;

/// <summary>
/// A Quartz cron (already normalized from the 5-field form) in plain words for the common shapes: daily, weekly,
/// monthly, every N minutes or hours. Anything else is said as "on the cron" and the expression is shown beside it.
/// </summary>
internal static class CronWords
{
    private static readonly Dictionary<string, string> Days = new(StringComparer.OrdinalIgnoreCase)
    {
        ["1"] = "Sunday", ["2"] = "Monday", ["3"] = "Tuesday", ["4"] = "Wednesday", ["5"] = "Thursday", ["6"] = "Friday", ["7"] = "Saturday",
        ["SUN"] = "Sunday", ["MON"] = "Monday", ["TUE"] = "Tuesday", ["WED"] = "Wednesday", ["THU"] = "Thursday", ["FRI"] = "Friday", ["SAT"] = "Saturday",
    };

    public static string Describe(string cron)
    {
        var f = cron.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (f.Length is < 6 or > 7 || (f.Length == 7 && f[6] != "*"))
        {
            return "on the cron below";
        }

        var (second, minute, hour, dayOfMonth, month, dayOfWeek) = (f[0], f[1], f[2], f[3], f[4], f[5]);
        if (month != "*")
        {
            return "on the cron below";
        }

        var anyDay = dayOfMonth is "*" or "?" && dayOfWeek is "*" or "?";
        if (Step(minute) is { } everyMinutes && hour == "*" && second == "0" && anyDay)
        {
            return everyMinutes == 1 ? "every minute" : $"every {everyMinutes} minutes";
        }

        if (Step(hour) is { } everyHours && Number(minute) is { } m && second == "0" && anyDay)
        {
            return everyHours == 1 ? $"every hour at minute {m}" : $"every {everyHours} hours at minute {m}";
        }

        if (Number(hour) is not { } h || Number(minute) is not { } min || Number(second) is not { } s)
        {
            return "on the cron below";
        }

        var time = s == 0 ? $"{h:D2}:{min:D2}" : $"{h:D2}:{min:D2}:{s:D2}";
        if (anyDay)
        {
            return $"every day at {time}";
        }

        if (dayOfMonth is "*" or "?" && DaysOfWeek(dayOfWeek) is { } days)
        {
            return $"at {time} on {days}";
        }

        if (dayOfWeek is "*" or "?" && dayOfMonth == "L")
        {
            return $"at {time} on the last day of every month";
        }

        if (dayOfWeek is "*" or "?" && Number(dayOfMonth) is { } day)
        {
            return $"at {time} on day {day} of every month";
        }

        return "on the cron below";
    }

    private static int? Number(string field) =>
        int.TryParse(field, NumberStyles.None, CultureInfo.InvariantCulture, out var value) ? value : null;

    /// <summary><c>*/15</c> or <c>0/15</c>: every 15; <c>*</c>: every 1.</summary>
    private static int? Step(string field)
    {
        if (field == "*")
        {
            return 1;
        }

        var parts = field.Split('/');
        return parts.Length == 2 && parts[0] is "*" or "0" && Number(parts[1]) is { } step and > 0 ? step : null;
    }

    private static string? DaysOfWeek(string field)
    {
        var range = field.Split('-');
        if (range.Length == 2 && Days.TryGetValue(range[0], out var from) && Days.TryGetValue(range[1], out var to))
        {
            return $"{from} to {to}";
        }

        var list = field.Split(',');
        var names = list.Select(d => Days.GetValueOrDefault(d)).ToList();
        return names.All(n => n is not null) ? string.Join(", ", names) : null;
    }
}
