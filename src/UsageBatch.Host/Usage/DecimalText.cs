using System.Globalization;
using System.Text.RegularExpressions;

namespace UsageBatch.Usage;

/// <summary>
/// Decimals as text: the only form usage values travel in (SQLite TEXT columns, Chargebee's quantity string).
/// Canonical input is a plain invariant-culture decimal: optional '-', digits, optional '.digits'. No exponent,
/// no '+', no thousands separators, no spaces. Anything else is refused, never guessed at.
/// </summary>
internal static partial class DecimalText
{
    /// <summary>decimal(28,10) on SQL Server: at most 18 integer digits and 10 decimals.</summary>
    public const int MaxIntegerDigits = 18;
    public const int MaxScale = 10;

    [GeneratedRegex(@"^-?[0-9]+(\.[0-9]+)?$", RegexOptions.CultureInvariant)]
    private static partial Regex Canonical();

    /// <summary>Parses canonical text; on failure says why in words a DBA can act on.</summary>
    public static bool TryParse(string? text, out decimal value, out string? error)
    {
        value = 0;
        error = null;
        if (text is null)
        {
            error = "is missing";
            return false;
        }

        if (!Canonical().IsMatch(text))
        {
            error = $"'{Shorten(text)}' is not a plain decimal (digits with an optional '-' and '.', no exponent, separators or spaces)";
            return false;
        }

        var digits = text.AsSpan().TrimStart('-');
        var dot = digits.IndexOf('.');
        var integerPart = (dot < 0 ? digits : digits[..dot]).TrimStart('0');
        var scale = dot < 0 ? 0 : digits.Length - dot - 1;
        if (integerPart.Length > MaxIntegerDigits)
        {
            error = $"'{Shorten(text)}' is out of range (more than {MaxIntegerDigits} integer digits)";
            return false;
        }

        if (scale > MaxScale)
        {
            error = $"'{Shorten(text)}' has {scale} decimals; at most {MaxScale} are stored";
            return false;
        }

        value = decimal.Parse(text, NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture);
        return true;
    }

    public static decimal Parse(string text) =>
        TryParse(text, out var value, out var error) ? value : throw new FormatException($"decimal {error}");

    /// <summary>
    /// Lenient parse for numbers a provider sent back (JSON numbers may carry an exponent; decimal keeps them exact).
    /// Never used for usage rows, which must be canonical.
    /// </summary>
    public static bool TryParseLenient(string? text, out decimal value) =>
        decimal.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out value);

    /// <summary>Decimal places actually needed (same as <see cref="Scale"/>; 1.2300 → 2).</summary>
    public static int Places(decimal value) => Scale(value);

    /// <summary>Decimal places actually needed (trailing zeros do not count: 1.50 has 1).</summary>
    public static int Scale(decimal value)
    {
        var normalized = Normalize(value);
        return (decimal.GetBits(normalized)[3] >> 16) & 0xFF;
    }

    /// <summary>Drops trailing zeros so 1.0 and 1.00 both print as "1".</summary>
    public static decimal Normalize(decimal value) => value / 1.000000000000000000000000000000000m;

    /// <summary>Invariant text with no exponent and no trailing zeros.</summary>
    public static string Format(decimal value) => Normalize(value).ToString(CultureInfo.InvariantCulture);

    /// <summary>
    /// Whether a JSON number read as binary floating point (as Whop's API may) keeps the value: any decimal of at most
    /// 15 significant digits survives decimal → double → decimal exactly; longer ones may not.
    /// </summary>
    public static bool SurvivesDouble(decimal value)
    {
        // The significant digits are the digits of the normalised mantissa (0.0015 -> 15 -> 2 digits), so "at most
        // 15" is "mantissa below 10^15": no text needed (this runs for every row, twice per run).
        Span<int> bits = stackalloc int[4];
        decimal.GetBits(Normalize(value), bits);
        return bits[2] == 0 && (((ulong)(uint)bits[1] << 32) | (uint)bits[0]) < 1_000_000_000_000_000UL;
    }

    public static int SignificantDigits(decimal value)
    {
        var digits = Format(decimal.Abs(value)).Replace(".", "", StringComparison.Ordinal).TrimStart('0');
        return Math.Max(1, digits.Length);
    }

    private static string Shorten(string text) => text.Length <= 40 ? text : text[..40] + "…";
}
