using System.Globalization;
using UsageBatch.Billing;
using UsageBatch.Usage;

namespace UsageBatch.Storage;

/// <summary>
/// What a group is, written once: the run, the dry run and both dialects' statements all group by these keys: the
/// customer, item and value fields a row carries (the first set column of each, as its <see cref="UsageTable"/>
/// lists them) and, for a table with date buckets, the UTC bucket (hour, day or month) of occurred_at.
/// </summary>
internal static class Grouping
{
    /// <summary>
    /// A group total the ledger holds exactly stays under this: decimal(28,10) keeps 18 integer digits (and .NET's
    /// decimal, past about 7.9e18 at ten decimals, would start rounding without a word).
    /// </summary>
    public const decimal TotalLimit = 1_000_000_000_000_000_000m;

    public const string TotalOutOfRangeReason =
        "the group's rows add up past what the ledger holds exactly (18 integer digits, 10 decimals); nothing was sent: correct the rows or split the usage";

    /// <summary>Adds a row's value to a group total, exactly; false when the sum passes <see cref="TotalLimit"/> (the group cannot be billed as one).</summary>
    public static bool TryAdd(decimal total, decimal value, out decimal sum)
    {
        // Each value is under the limit (validation), so the sum of two is under 2e18: exact in decimal.
        sum = total + value;
        return Math.Abs(sum) < TotalLimit;
    }

    /// <summary>The canonical text of occurred_at up to the bucket (what SQLite groups by): 2026-11-20T05 / 2026-11-20 / 2026-11.</summary>
    public static int BucketPrefixLength(string bucket) => bucket switch
    {
        "hour" => 13,
        "month" => 7,
        _ => 10,
    };

    /// <summary>The bucket a canonical occurred_at falls in, as its prefix (see <see cref="BucketPrefixLength"/>).</summary>
    public static string BucketKey(string occurredAt, string bucket) => occurredAt[..BucketPrefixLength(bucket)];

    public static DateTimeOffset BucketStart(DateTimeOffset at, string bucket) => bucket switch
    {
        "hour" => new DateTimeOffset(at.Year, at.Month, at.Day, at.Hour, 0, 0, TimeSpan.Zero),
        "month" => new DateTimeOffset(at.Year, at.Month, 1, 0, 0, 0, TimeSpan.Zero),
        _ => new DateTimeOffset(at.Year, at.Month, at.Day, 0, 0, 0, TimeSpan.Zero),
    };

    public static DateTimeOffset BucketEnd(DateTimeOffset start, string bucket) => bucket switch
    {
        "hour" => start.AddHours(1),
        "month" => start.AddMonths(1),
        _ => start.AddDays(1),
    };

    /// <summary>A bucket's bounds from its prefix text; false when the text is not one (a malformed occurred_at).</summary>
    public static bool TryBucketBounds(string prefix, string bucket, out DateTimeOffset start, out DateTimeOffset end)
    {
        var format = bucket switch
        {
            "hour" => "yyyy-MM-dd'T'HH",
            "month" => "yyyy-MM",
            _ => "yyyy-MM-dd",
        };
        var ok = DateTimeOffset.TryParseExact(prefix, format, CultureInfo.InvariantCulture,
            DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out start);
        end = ok ? BucketEnd(start, bucket) : default;
        return ok;
    }

    /// <summary>
    /// The bucket a group query answered, as either dialect answers it: SQLite the prefix text, SQL Server the
    /// bucket's start. False when it is not a bucket (SQLite met a malformed occurred_at; the next run rejects it).
    /// </summary>
    public static bool TryBucket(object value, string bucket, out DateTimeOffset start, out DateTimeOffset end)
    {
        if (value is DateTime time)
        {
            start = DbRead.Utc(time);
            end = BucketEnd(start, bucket);
            return true;
        }

        if (value is string prefix)
        {
            return TryBucketBounds(prefix, bucket, out start, out end);
        }

        start = end = default;
        return false;
    }
}
