using System.Globalization;

namespace UsageBatch.Emulator.Chargebee;

/// <summary>
/// The list-usages query: string filters (<c>field[is|is_not|starts_with]</c>), <c>invoice_id[is_present]</c>,
/// timestamp filters (<c>usage_date|updated_at[after|before|on|between]</c>) and <c>sort_by[asc|desc]</c>.
/// </summary>
internal sealed class ChargebeeListFilter
{
    private static readonly string[] StringFields = ["id", "subscription_id", "item_price_id", "invoice_id"];
    private static readonly string[] TimestampFields = ["usage_date", "updated_at"];

    private readonly List<Func<ChargebeeUsage, bool>> _predicates = [];

    public int Limit { get; set; } = 10;

    public int Offset { get; set; }

    /// <summary>null = Chargebee's default, created_at ascending.</summary>
    public string? SortBy { get; private set; }

    public bool Descending { get; private set; }

    public bool Matches(ChargebeeUsage usage) => _predicates.TrueForAll(p => p(usage));

    /// <summary>Adds one query parameter; returns a problem description, or null when accepted or not a filter.</summary>
    public string? Apply(string key, string value)
    {
        var open = key.IndexOf('[', StringComparison.Ordinal);
        if (open <= 0 || !key.EndsWith(']'))
        {
            return null;
        }

        var field = key[..open];
        var op = key[(open + 1)..^1];
        if (field == "sort_by")
        {
            if (op is not ("asc" or "desc") || value is not ("usage_date" or "updated_at"))
            {
                return "must be sort_by[asc|desc]=usage_date|updated_at";
            }

            SortBy = value;
            Descending = op == "desc";
            return null;
        }

        if (StringFields.Contains(field))
        {
            return ApplyString(field, op, value);
        }

        return TimestampFields.Contains(field) ? ApplyTimestamp(field, op, value) : null;
    }

    private static string? Read(ChargebeeUsage usage, string field) => field switch
    {
        "id" => usage.Id,
        "subscription_id" => usage.SubscriptionId,
        "item_price_id" => usage.ItemPriceId,
        _ => usage.InvoiceId,
    };

    private string? ApplyString(string field, string op, string value)
    {
        switch (op)
        {
            case "is":
                _predicates.Add(u => Read(u, field) == value);
                return null;
            case "is_not":
                _predicates.Add(u => Read(u, field) != value);
                return null;
            case "starts_with":
                _predicates.Add(u => Read(u, field)?.StartsWith(value, StringComparison.Ordinal) == true);
                return null;
            case "is_present" when field == "invoice_id":
                if (value is not ("true" or "false"))
                {
                    return "must be true or false";
                }

                var present = value == "true";
                _predicates.Add(u => (u.InvoiceId is not null) == present);
                return null;
            default:
                return "is not a supported operator";
        }
    }

    private string? ApplyTimestamp(string field, string op, string value)
    {
        Func<ChargebeeUsage, long> read = field == "usage_date" ? u => u.UsageDate : u => u.UpdatedAt;
        if (op == "between")
        {
            // The .NET SDK sends between as a JSON array: [t1,t2] (inclusive).
            var parts = value.Trim().TrimStart('[').TrimEnd(']').Split(',');
            if (parts.Length != 2 || !TryTimestamp(parts[0], out var from) || !TryTimestamp(parts[1], out var to))
            {
                return "must be [from,to] timestamps in seconds";
            }

            _predicates.Add(u => read(u) >= from && read(u) <= to);
            return null;
        }

        if (!TryTimestamp(value, out var t))
        {
            return "must be a timestamp in seconds";
        }

        switch (op)
        {
            case "after":
                _predicates.Add(u => read(u) > t);
                return null;
            case "before":
                _predicates.Add(u => read(u) < t);
                return null;
            case "on":
                // inferred (the provider's API docs): "on" is taken as the exact second.
                _predicates.Add(u => read(u) == t);
                return null;
            default:
                return "is not a supported operator";
        }
    }

    private static bool TryTimestamp(string text, out long value) =>
        long.TryParse(text.Trim().Trim('"'), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out value);
}
