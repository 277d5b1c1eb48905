using System.Text.RegularExpressions;
using UsageBatch.Usage;
using static UsageBatch.Usage.UsageRowValidator;

namespace UsageBatch.Providers.Whop;

/// <summary>Whether a whop_usage row can ever be billed: Whop's id shapes and its JSON numbers.</summary>
internal static partial class WhopRowRules
{
    [GeneratedRegex("^(biz)_[A-Za-z0-9]+$", RegexOptions.CultureInvariant)]
    private static partial Regex CompanyId();

    [GeneratedRegex("^(mem)_[A-Za-z0-9]+$", RegexOptions.CultureInvariant)]
    private static partial Regex MembershipId();

    [GeneratedRegex("^(bi)_[A-Za-z0-9]+$", RegexOptions.CultureInvariant)]
    private static partial Regex BillingItemId();

    public static string? Check(UsageRow row, ValidationRules rules) =>
        CheckSourceKey(row.SourceKey)
        ?? ExactlyOne("company_id", row["company_id"], "membership_id", row["membership_id"])
        ?? CheckId("company_id", row["company_id"], CompanyId(), "biz_")
        ?? CheckId("membership_id", row["membership_id"], MembershipId(), "mem_")
        ?? ExactlyOne("billing_item_id", row["billing_item_id"], "billing_item_identifier", row["billing_item_identifier"])
        ?? CheckId("billing_item_id", row["billing_item_id"], BillingItemId(), "bi_")
        ?? CheckIdentifier(row["billing_item_identifier"])
        ?? ExactlyOne("amount", row["amount"], "quantity", row["quantity"])
        ?? CheckNumber(row, "amount", rules.AmountDecimals)
        ?? CheckNumber(row, "quantity", rules.QuantityDecimals)
        ?? CheckOccurredAt(row, rules);

    /// <summary>The message for a value Whop's JSON numbers would not carry exactly.</summary>
    public static string TooPrecise(string what, string text) => $"{what} {text} has more significant digits than Whop's JSON numbers carry exactly";

    // inferred (the provider's API docs: Whop's precision is undocumented): Whop takes JSON numbers, which its side may
    // read as binary floating point; a value that does not survive that would be billed as something else.
    private static string? CheckNumber(UsageRow row, string column, int maxDecimals) =>
        CheckValue(row, column, maxDecimals)
        ?? (row[column] is { } text && !DecimalText.SurvivesDouble(row.Value(column)) ? TooPrecise(column, text) : null);

    private static string? CheckId(string column, string? value, Regex shape, string prefix)
    {
        if (value is null)
        {
            return null;
        }

        if (value.Length > IdMaxLength)
        {
            return $"{column} is {value.Length} characters; at most {IdMaxLength} are allowed";
        }

        return shape.IsMatch(value)
            ? null
            : $"{column} '{Printable(value)}' is not a Whop id (expected {prefix} followed by letters and digits)";
    }

    private static string? CheckIdentifier(string? value)
    {
        if (value is null)
        {
            return null;
        }

        if (value.Length == 0 || value.Trim().Length != value.Length)
        {
            return "billing_item_identifier is empty or has leading/trailing spaces";
        }

        if (value.Length > IdentifierMaxLength)
        {
            return $"billing_item_identifier is {value.Length} characters; at most {IdentifierMaxLength} are allowed";
        }

        return value.Any(char.IsControl) ? "billing_item_identifier contains control characters" : null;
    }
}
