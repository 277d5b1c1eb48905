namespace UsageBatch.Usage;

/// <summary>
/// The row checks every provider's rules are made of (each provider module's <c>CheckRow</c> puts them in its own
/// order, with its own id shapes). Every reason names the column and what is wrong with it, so a DBA can fix the row
/// and set it back to pending. Field limits are the providers' (their API docs) and the SQL Server column sizes
/// (SQLite would store anything).
/// </summary>
internal static class UsageRowValidator
{
    public const int SourceKeyMaxLength = 200;
    public const int IdMaxLength = 100;
    public const int IdentifierMaxLength = 200;

    public static string? CheckSourceKey(string? sourceKey) =>
        sourceKey is { Length: > SourceKeyMaxLength }
            ? $"source_key is {sourceKey.Length} characters; at most {SourceKeyMaxLength} fit the column"
            : null;

    public static string? ExactlyOne(string first, string? firstValue, string second, string? secondValue) =>
        (firstValue is null, secondValue is null) switch
        {
            (true, true) => $"neither {first} nor {second} is set; exactly one is required",
            (false, false) => $"both {first} and {second} are set; exactly one is allowed",
            _ => null,
        };

    /// <summary>A number column that is set must be canonical decimal text with at most <paramref name="maxDecimals"/> decimals (NULL passes: presence is the rules' own check).</summary>
    public static string? CheckValue(UsageRow row, string column, int maxDecimals)
    {
        if (row[column] is not { } text)
        {
            return null;
        }

        if (!row.TryNumber(column, out var value, out var error))
        {
            return $"{column} {error}";
        }

        var scale = DecimalText.Scale(value);
        if (scale > maxDecimals)
        {
            return $"{column} {text} has {scale} decimals; the provider takes at most {maxDecimals}";
        }

        return null;
    }

    public static string? CheckOccurredAt(UsageRow row, ValidationRules rules)
    {
        if (!row.TryOccurredAt(out var occurredAt, out var error))
        {
            return $"occurred_at {error}";
        }

        return occurredAt < rules.OldestAccepted
            ? $"occurred_at {row.OccurredAt} is older than the job accepts (before {UtcText.Format(rules.OldestAccepted)}; see the job's maxAge)"
            : null;
    }

    public static string Printable(string value)
    {
        var shown = value.Length > 40 ? value[..40] + "…" : value;
        return new string(shown.Select(c => char.IsControl(c) ? '?' : c).ToArray());
    }
}
