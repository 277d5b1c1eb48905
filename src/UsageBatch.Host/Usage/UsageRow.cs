using UsageBatch.Storage;

namespace UsageBatch.Usage;

/// <summary>
/// One usage row as read from its provider's table: the columns every table has, and the provider's own
/// (<see cref="UsageTable.Fields"/>) by name. Values stay text until validated: a DBA's typo must become a
/// rejection with a reason, not a crash.
/// </summary>
internal sealed class UsageRow(UsageTable table, long id, string? sourceKey, string? occurredAt, string?[] fields)
{
    public UsageTable Table { get; } = table;

    public long Id { get; } = id;

    public string? SourceKey { get; } = sourceKey;

    public string? OccurredAt { get; } = occurredAt;

    /// <summary>The provider column <paramref name="column"/> of this row, as text (null when NULL).</summary>
    public string? this[string column] => fields[Table.IndexOf(column)];

    // Each number and the time are parsed once per row, whoever asks first (the rules, then the claim's tally): a
    // run reads a million rows, and every parse is a pattern match and a conversion.
    private Parsed<decimal>?[]? _numbers;
    private Parsed<DateTimeOffset>? _occurredAt;

    /// <summary>The number in column <paramref name="column"/> (canonical decimal text), or why it is not one.</summary>
    public bool TryNumber(string column, out decimal value, out string? error)
    {
        var i = Table.IndexOf(column);
        _numbers ??= new Parsed<decimal>?[fields.Length];
        var parsed = _numbers[i] ??= DecimalText.TryParse(fields[i], out var number, out var why) ? new(number, null) : new(default, why);
        (value, error) = (parsed.Value, parsed.Error);
        return error is null;
    }

    /// <summary>occurred_at as a UTC instant (canonical usage text only), or why it is not one.</summary>
    public bool TryOccurredAt(out DateTimeOffset value, out string? error)
    {
        var parsed = _occurredAt ??= UtcText.TryParseUsage(OccurredAt, out var at, out var why) ? new(at, null) : new(default, why);
        (value, error) = (parsed.Value, parsed.Error);
        return error is null;
    }

    /// <summary>The value the row adds to its group (its value field's number); only for a row its rules accepted.</summary>
    public decimal Value(string valueField) =>
        TryNumber(valueField, out var value, out var error) ? value : throw new FormatException($"{valueField} {error}");

    /// <summary>When the usage happened; only for a row its rules accepted.</summary>
    public DateTimeOffset OccurredAtUtc =>
        TryOccurredAt(out var value, out var error) ? value : throw new FormatException($"occurred_at {error}");

    private sealed record Parsed<T>(T Value, string? Error);
}
