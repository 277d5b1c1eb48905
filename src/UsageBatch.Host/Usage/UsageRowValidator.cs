using System.Text.RegularExpressions;
using UsageBatch.Providers;

namespace UsageBatch.Usage;

/// <summary>
/// Decides whether a pending row can ever be billed. Every reason names the column and what is wrong with it, so
/// a DBA can fix the row and set it back to pending. Field limits are the providers' (their API docs) and the
/// SQL Server column sizes (SQLite would store anything).
/// </summary>
internal static partial class UsageRowValidator
{
    public const int SourceKeyMaxLength = 200;
    public const int IdMaxLength = 100;
    public const int IdentifierMaxLength = 200;

    [GeneratedRegex("^(biz)_[A-Za-z0-9]+$", RegexOptions.CultureInvariant)]
    private static partial Regex WhopCompanyId();

    [GeneratedRegex("^(mem)_[A-Za-z0-9]+$", RegexOptions.CultureInvariant)]
    private static partial Regex WhopMembershipId();

    [GeneratedRegex("^(bi)_[A-Za-z0-9]+$", RegexOptions.CultureInvariant)]
    private static partial Regex WhopBillingItemId();

    // Chargebee ids: printable ASCII without spaces (they travel in URL paths and form fields).
    [GeneratedRegex("^[!-~]+$", RegexOptions.CultureInvariant)]
    private static partial Regex PrintableAscii();

    /// <summary>Null when the row is billable; otherwise the reason.</summary>
    public static string? Check(ProviderKind provider, UsageRow row, ValidationRules rules) =>
        provider == ProviderKind.Whop ? CheckWhop(row, rules) : CheckChargebee(row, rules);

    private static string? CheckWhop(UsageRow row, ValidationRules rules)
    {
        return CheckSourceKey(row.SourceKey)
            ?? ExactlyOne("company_id", row.CompanyId, "membership_id", row.MembershipId)
            ?? CheckId("company_id", row.CompanyId, WhopCompanyId(), "biz_")
            ?? CheckId("membership_id", row.MembershipId, WhopMembershipId(), "mem_")
            ?? ExactlyOne("billing_item_id", row.BillingItemId, "billing_item_identifier", row.BillingItemIdentifier)
            ?? CheckId("billing_item_id", row.BillingItemId, WhopBillingItemId(), "bi_")
            ?? CheckIdentifier(row.BillingItemIdentifier)
            ?? ExactlyOne("amount", row.Amount, "quantity", row.Quantity)
            ?? CheckValue("amount", row.Amount, rules.AmountDecimals, whop: true)
            ?? CheckValue("quantity", row.Quantity, rules.QuantityDecimals, whop: true)
            ?? CheckOccurredAt(row.OccurredAt, rules);
    }

    private static string? CheckChargebee(UsageRow row, ValidationRules rules)
    {
        return CheckSourceKey(row.SourceKey)
            ?? CheckChargebeeId("subscription_id", row.SubscriptionId)
            ?? CheckChargebeeId("item_price_id", row.ItemPriceId)
            ?? (row.Quantity is null ? "quantity is missing" : null)
            ?? CheckValue("quantity", row.Quantity, rules.QuantityDecimals, whop: false)
            ?? CheckOccurredAt(row.OccurredAt, rules);
    }

    private static string? CheckSourceKey(string? sourceKey) =>
        sourceKey is { Length: > SourceKeyMaxLength }
            ? $"source_key is {sourceKey.Length} characters; at most {SourceKeyMaxLength} fit the column"
            : null;

    private static string? ExactlyOne(string first, string? firstValue, string second, string? secondValue) =>
        (firstValue is null, secondValue is null) switch
        {
            (true, true) => $"neither {first} nor {second} is set; exactly one is required",
            (false, false) => $"both {first} and {second} are set; exactly one is allowed",
            _ => null,
        };

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

    private static string? CheckChargebeeId(string column, string? value)
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

    private static string? CheckValue(string column, string? text, int maxDecimals, bool whop)
    {
        if (text is null)
        {
            return null;
        }

        if (!DecimalText.TryParse(text, out var value, out var error))
        {
            return $"{column} {error}";
        }

        var scale = DecimalText.Scale(value);
        if (scale > maxDecimals)
        {
            return $"{column} {text} has {scale} decimals; the provider takes at most {maxDecimals}";
        }

        // inferred (the provider's API docs: Whop's precision is undocumented): Whop takes JSON numbers, which its side may
        // read as binary floating point; a value that does not survive that would be billed as something else.
        if (whop && !DecimalText.SurvivesDouble(value))
        {
            return $"{column} {text} has more significant digits than Whop's JSON numbers carry exactly";
        }

        return null;
    }

    private static string? CheckOccurredAt(string? text, ValidationRules rules)
    {
        if (!UtcText.TryParseUsage(text, out var occurredAt, out var error))
        {
            return $"occurred_at {error}";
        }

        return occurredAt < rules.OldestAccepted
            ? $"occurred_at {text} is older than the job accepts (before {UtcText.Format(rules.OldestAccepted)}; see the job's maxAge)"
            : null;
    }

    private static string Printable(string value)
    {
        var shown = value.Length > 40 ? value[..40] + "…" : value;
        return new string(shown.Select(c => char.IsControl(c) ? '?' : c).ToArray());
    }
}
