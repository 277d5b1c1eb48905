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

        var format = text.Length == 20 ? "yyyy-MM-dd'T'HH:mm:ss'Z'" : "yyyy-MM-dd'T'HH:mm:ss.fff'Z'";
        if (!DateTimeOffset.TryParseExact(text, format, CultureInfo.InvariantCulture,
                DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out value))
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
        DateTimeOffset.ParseExact(text, ["yyyy-MM-dd'T'HH:mm:ss.fff'Z'", "yyyy-MM-dd'T'HH:mm:ss'Z'"], CultureInfo.InvariantCulture,
            DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal);

    public static DateTimeOffset? ParseOrNull(string? text) => text is null ? null : Parse(text);

    /// <summary>Truncates to whole seconds, as every bound must be.</summary>
    public static DateTimeOffset WholeSeconds(DateTimeOffset value) =>
        new(value.UtcTicks - (value.UtcTicks % TimeSpan.TicksPerSecond), TimeSpan.Zero);
}
