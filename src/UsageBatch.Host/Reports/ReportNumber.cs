using System.Globalization;
using UsageBatch.Usage;

namespace UsageBatch.Reports;

/// <summary>
/// How values look in every report format: exact decimals, never floating point; amounts (money) with at least two
/// decimals (<c>12.50</c>), quantities as written (<c>12.5</c>). Always invariant culture, no thousands separator.
/// </summary>
internal static class ReportNumber
{
    public static decimal Shape(decimal value, string valueKind) =>
        valueKind == "amount" ? DecimalText.Normalize(value) + 0.00m : DecimalText.Normalize(value);

    public static string Format(decimal value, string valueKind) => Shape(value, valueKind).ToString(CultureInfo.InvariantCulture);

    public static string Format(decimal? value, string valueKind) => value is { } v ? Format(v, valueKind) : "";

    /// <summary>What a value is counted in: the currency for amounts, units for quantities.</summary>
    public static string Unit(string valueKind, string? currency) =>
        valueKind == "amount" ? currency ?? "currency not set" : "units";
}
