using System.Text.RegularExpressions;
using UsageBatch.Usage;
using static UsageBatch.Usage.UsageRowValidator;

namespace UsageBatch.Providers.Chargebee;

/// <summary>Whether a chargebee_usage row can ever be billed.</summary>
internal static partial class ChargebeeRowRules
{
    // Chargebee ids: printable ASCII without spaces (they travel in URL paths and form fields).
    [GeneratedRegex("^[!-~]+$", RegexOptions.CultureInvariant)]
    private static partial Regex PrintableAscii();

    public static string? Check(UsageRow row, ValidationRules rules) =>
        CheckSourceKey(row.SourceKey)
        ?? CheckId("subscription_id", row["subscription_id"])
        ?? CheckId("item_price_id", row["item_price_id"])
        ?? (row["quantity"] is null ? "quantity is missing" : null)
        ?? CheckValue(row, "quantity", rules.QuantityDecimals)
        ?? CheckOccurredAt(row, rules);

    private static string? CheckId(string column, string? value)
    {
        if (value is null)
        {
            return $"{column} is missing";
        }

        if (value.Length > IdMaxLength)
        {
            return $"{column} is {value.Length} characters; Chargebee takes at most {IdMaxLength}";
        }

        return PrintableAscii().IsMatch(value)
            ? null
            : $"{column} '{Printable(value)}' must be printable ASCII without spaces";
    }
}
