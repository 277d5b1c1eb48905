using System.Globalization;
using System.Text.RegularExpressions;

namespace UsageBatch.Usage;

/// <summary>
/// UTC instants as text. Usage rows: exactly 'YYYY-MM-DDTHH:MM:SS[.fff]Z'. The job's own tables and every
/// bound it compares usage rows with: always 'YYYY-MM-DDTHH:MM:SS.fffZ'.
/// Why bounds are always whole seconds written with '.000': in text order 'Z' sorts after '.', so a row
/// '…:05Z' compares greater than '…:05.000Z' and '…:05.500Z' greater than '…:05.000Z'; against a whole-second
/// bound written with '.000', plain text comparison therefore gives the same answer as comparing instants.
/// </summary>
internal static partial class UtcText
{
    [GeneratedRegex(@"^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]{3})?Z$", RegexOptions.CultureInvariant)]
    private static partial Regex Canonical();

    public static bool TryParseUsage(string? text, out DateTimeOffset value, out string? error)
    {
        value = default;
        error = null;
        if (string.IsNullOrEmpty(text))
        {
            error = "is missing";
            return false;
        }

        if (!Canonical().IsMatch(text))
        {
            error = $"'{(text.Length > 40 ? text[..40] + "…" : text)}' is not UTC in the form YYYY-MM-DDTHH:MM:SS[.fff]Z";
            return false;
        }

        if (!TryParseCanonical(text, out value))
        {
            error = $"'{text}' is not a real date and time";
            return false;
        }

        return true;
    }

    /// <summary>The job's own format; also the form of bounds compared with usage rows (see the type's remarks).</summary>
    public static string Format(DateTimeOffset value) =>
        value.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);

    public static DateTimeOffset Parse(string text) =>
        TryParseCanonical(text, out var value) ? value : DateTimeOffset.ParseExact(text, ["yyyy-MM-dd'T'HH:mm:ss.fff'Z'", "yyyy-MM-dd'T'HH:mm:ss'Z'"], CultureInfo.InvariantCulture,
            DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal);

    public static DateTimeOffset? ParseOrNull(string? text) => text is null ? null : Parse(text);

    /// <summary>Truncates to whole seconds, as every bound must be.</summary>
    public static DateTimeOffset WholeSeconds(DateTimeOffset value) =>
        new(value.UtcTicks - (value.UtcTicks % TimeSpan.TicksPerSecond), TimeSpan.Zero);

    /// <summary>
    /// 'YYYY-MM-DDTHH:MM:SSZ' or 'YYYY-MM-DDTHH:MM:SS.fffZ' read by position (every usage row goes through this twice a
    /// run); the same answers as ParseExact with those formats, including refusing impossible dates.
    /// </summary>
    private static bool TryParseCanonical(string text, out DateTimeOffset value)
    {
        value = default;
        var fraction = text.Length == 24;
        if ((text.Length != 20 && !fraction) || text[4] != '-' || text[7] != '-' || text[10] != 'T' || text[13] != ':' || text[16] != ':'
            || text[^1] != 'Z' || (fraction && text[19] != '.'))
        {
            return false;
        }

        if (!Digits(text, 0, 4, out var year) || !Digits(text, 5, 2, out var month) || !Digits(text, 8, 2, out var day)
            || !Digits(text, 11, 2, out var hour) || !Digits(text, 14, 2, out var minute) || !Digits(text, 17, 2, out var second))
        {
            return false;
        }

        var millisecond = 0;
        if ((fraction && !Digits(text, 20, 3, out millisecond)) || year < 1 || month is < 1 or > 12 || day < 1
            || day > DateTime.DaysInMonth(year, month) || hour > 23 || minute > 59 || second > 59)
        {
            return false;
        }

        value = new DateTimeOffset(year, month, day, hour, minute, second, millisecond, TimeSpan.Zero);
        return true;
    }

    private static bool Digits(string text, int start, int count, out int number)
    {
        number = 0;
        for (var i = start; i < start + count; i++)
        {
            var digit = text[i] - '0';
            if (digit is < 0 or > 9)
            {
                return false;
            }

            number = (number * 10) + digit;
        }

        return true;
    }
}
