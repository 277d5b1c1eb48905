using System.Globalization;

namespace UsageBatch.Usage;

/// <summary>Durations for people reading logs and the terminal: <c>470 ms</c>, <c>3.5 s</c>, <c>2 min 05 s</c>, <c>1 h 02 min</c>.</summary>
internal static class DurationText
{
    public static string Format(TimeSpan value)
    {
        var inv = CultureInfo.InvariantCulture;
        if (value < TimeSpan.Zero)
        {
            return "-" + Format(value.Negate());
        }

        return value.TotalSeconds switch
        {
            < 1 => string.Create(inv, $"{value.TotalMilliseconds:0} ms"),
            < 10 => string.Create(inv, $"{value.TotalSeconds:0.0} s"),
            < 60 => string.Create(inv, $"{value.TotalSeconds:0} s"),
            < 3600 => string.Create(inv, $"{(int)value.TotalMinutes} min {value.Seconds:00} s"),
            < 86400 => string.Create(inv, $"{(int)value.TotalHours} h {value.Minutes:00} min"),
            _ => string.Create(inv, $"{(int)value.TotalDays} d {value.Hours:00} h"),
        };
    }
}
