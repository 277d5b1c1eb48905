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

    /// <summary>
    /// For people (the HTML page, the summary paragraph): thousands separators, and amounts with their currency's
    /// number of decimals (2 unless the ISO 4217 minor unit says otherwise), never fewer than the value has, so
    /// nothing is rounded. Invariant culture always: a report reads the same on every machine.
    /// </summary>
    public static string Display(decimal value, string valueKind, string? unit)
    {
        var shaped = Shape(value, valueKind);
        var decimals = Scale(DecimalText.Normalize(shaped));
        if (valueKind == "amount")
        {
            decimals = Math.Max(decimals, CurrencyDecimals(unit));
        }

        return shaped.ToString("N" + decimals.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);
    }

    public static string Display(decimal? value, string valueKind, string? unit) => value is { } v ? Display(v, valueKind, unit) : "";

    private static int Scale(decimal value) => (decimal.GetBits(value)[3] >> 16) & 0xFF;

    private static int CurrencyDecimals(string? currency) => currency?.ToUpperInvariant() switch
    {
        "BIF" or "CLP" or "DJF" or "GNF" or "ISK" or "JPY" or "KMF" or "KRW" or "PYG" or "RWF" or "UGX" or "VND" or "VUV" or "XAF" or "XOF" or "XPF" => 0,
        "BHD" or "IQD" or "JOD" or "KWD" or "LYD" or "OMR" or "TND" => 3,
        _ => 2,
    };

    /// <summary>What a value is counted in: the currency for amounts, units for quantities.</summary>
    public static string Unit(string valueKind, string? currency) =>
        valueKind == "amount" ? currency ?? "currency not set" : "units";
}
