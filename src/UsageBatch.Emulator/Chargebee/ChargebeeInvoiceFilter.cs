namespace UsageBatch.Emulator.Chargebee;

/// <summary>
/// The list-invoices query: <c>subscription_id|customer_id|status[is|is_not|in|not_in]</c>, <c>recurring[is]</c>,
/// <c>date|updated_at[after|before|on|between]</c>, <c>sort_by[asc|desc]=date|updated_at</c> and <c>include_deleted</c>.
/// </summary>
internal sealed class ChargebeeInvoiceFilter
{
    private static readonly string[] Statuses = ["paid", "posted", "payment_due", "not_paid", "voided", "pending"];

    private readonly List<Func<ChargebeeInvoice, bool>> _predicates = [];

    /// <summary>null = the default, date ascending.</summary>
    public string? SortBy { get; private set; }

    public bool Descending { get; private set; }

    public bool Matches(ChargebeeInvoice invoice) => _predicates.TrueForAll(p => p(invoice));

    /// <summary>Adds one query parameter; returns a problem description, or null when accepted or not a filter.</summary>
    public string? Apply(string key, string value)
    {
        if (key == "include_deleted")
        {
            // Nothing is ever deleted here, so the flag changes nothing; it is still checked.
            return value is "true" or "false" ? null : "must be true or false";
        }

        var open = key.IndexOf('[', StringComparison.Ordinal);
        if (open <= 0 || !key.EndsWith(']'))
        {
            return null;
        }

        var field = key[..open];
        var op = key[(open + 1)..^1];
        return field switch
        {
            "sort_by" => ApplySort(op, value),
            "subscription_id" => ApplyString(i => i.SubscriptionId, op, value, null),
            "customer_id" => ApplyString(i => i.CustomerId, op, value, null),
            "status" => ApplyString(i => i.Status, op, value, Statuses),
            "recurring" => ApplyRecurring(op, value),
            "date" => ApplyTimestamp(i => i.Date, op, value),
            "updated_at" => ApplyTimestamp(i => i.UpdatedAt, op, value),
            _ => null,
        };
    }

    private string? ApplySort(string op, string value)
    {
        if (op is not ("asc" or "desc") || value is not ("date" or "updated_at"))
        {
            return "must be sort_by[asc|desc]=date|updated_at";
        }

        SortBy = value;
        Descending = op == "desc";
        return null;
    }

    private string? ApplyString(Func<ChargebeeInvoice, string> read, string op, string value, string[]? allowed)
    {
        string[] values;
        if (op is "in" or "not_in")
        {
            if (ChargebeeFilterValues.List(value) is not { } list)
            {
                return "must be a list like [a,b]";
            }

            values = list;
        }
        else
        {
            values = [value];
        }

        if (allowed is not null && values.Any(v => !allowed.Contains(v, StringComparer.Ordinal)))
        {
            return "must be one of " + string.Join(", ", allowed);
        }

        switch (op)
        {
            case "is":
                _predicates.Add(i => read(i) == value);
                return null;
            case "is_not":
                _predicates.Add(i => read(i) != value);
                return null;
            case "in":
                _predicates.Add(i => values.Contains(read(i), StringComparer.Ordinal));
                return null;
            case "not_in":
                _predicates.Add(i => !values.Contains(read(i), StringComparer.Ordinal));
                return null;
            default:
                return "is not a supported operator";
        }
    }

    private string? ApplyRecurring(string op, string value)
    {
        if (op != "is")
        {
            return "is not a supported operator";
        }

        if (value is not ("true" or "false"))
        {
            return "must be true or false";
        }

        var recurring = value == "true";
        _predicates.Add(i => i.Recurring == recurring);
        return null;
    }

    private string? ApplyTimestamp(Func<ChargebeeInvoice, long> read, string op, string value)
    {
        if (op == "between")
        {
            if (ChargebeeFilterValues.List(value) is not [var first, var second]
                || ChargebeeFilterValues.Timestamp(first) is not { } from
                || ChargebeeFilterValues.Timestamp(second) is not { } to)
            {
                return "must be [from,to] timestamps in seconds";
            }

            _predicates.Add(i => read(i) >= from && read(i) <= to);
            return null;
        }

        if (op is not ("after" or "before" or "on"))
        {
            return "is not a supported operator";
        }

        if (ChargebeeFilterValues.Timestamp(value) is not { } t)
        {
            return "must be a timestamp in seconds";
        }

        // inferred (the provider's API docs): "on" is taken as the exact second, as for usages.
        _predicates.Add(op switch
        {
            "after" => i => read(i) > t,
            "before" => i => read(i) < t,
            _ => i => read(i) == t,
        });
        return null;
    }
}
