using System.Globalization;

namespace UsageBatch.Providers.Http;

/// <summary>Exact decimal text for providers: invariant culture, no exponent, no trailing-zero noise.</summary>
internal static class DecimalText
{
    /// <summary>Removes trailing zeros from the scale (1.2300 → 1.23, 5.0 → 5) without changing the value.</summary>
    public static decimal Normalize(decimal value) => value / 1.0000000000000000000000000000m;

    /// <summary>Decimal places the value really needs (1.2300 → 2).</summary>
    public static int Places(decimal value) => Normalize(value).Scale;

    /// <summary>decimal.ToString never uses an exponent; the invariant culture never adds group separators.</summary>
    public static string Format(decimal value) => Normalize(value).ToString(CultureInfo.InvariantCulture);

    /// <summary>Parses a provider's decimal text exactly (an exponent is accepted; decimal keeps it exact).</summary>
    public static bool TryParse(string? text, out decimal value) =>
        decimal.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out value);
}
