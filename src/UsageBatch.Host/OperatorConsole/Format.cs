using System.Globalization;
using UsageBatch.Usage;

namespace UsageBatch.OperatorConsole;

/// <summary>Times, ages and durations as the console writes them (UTC unless a job's time zone is named).</summary>
internal static class Format
{
    public static string Utc(DateTimeOffset? value) =>
        value is { } v ? v.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss 'UTC'", CultureInfo.InvariantCulture) : "-";

    /// <summary>The instant in a job's time zone, e.g. <c>2026-12-02 03:15 Europe/Berlin</c>.</summary>
    public static string InZone(DateTimeOffset value, string timeZone)
    {
        var zone = TimeZoneInfo.FindSystemTimeZoneById(timeZone);
        return TimeZoneInfo.ConvertTime(value, zone).ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture) + " " + timeZone;
    }

    public static string Iso(DateTimeOffset? value) => value is { } v ? UtcText.Format(v) : "";

    /// <summary>A coarse age: <c>42 s</c>, <c>5 min</c>, <c>3 h 12 min</c>, <c>4 d 2 h</c>.</summary>
    public static string Age(TimeSpan age)
    {
        if (age < TimeSpan.Zero)
        {
            age = TimeSpan.Zero;
        }

        return age.TotalSeconds < 60 ? $"{(int)age.TotalSeconds} s"
            : age.TotalMinutes < 60 ? $"{(int)age.TotalMinutes} min"
            : age.TotalHours < 48 ? $"{(int)age.TotalHours} h {age.Minutes} min"
            : $"{(int)age.TotalDays} d {age.Hours} h";
    }

    /// <summary>A configured duration, e.g. <c>1 d 2 h</c> or <c>26 h</c>, or a run's length in seconds.</summary>
    public static string Duration(TimeSpan value) =>
        value.TotalSeconds < 120 ? value.TotalSeconds.ToString("0.0", CultureInfo.InvariantCulture) + " s" : Age(value);

    public static string Number(long value) => value.ToString("N0", CultureInfo.InvariantCulture);
}
