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

    /// <summary>The value the row adds to its group (its value field's number); only for a row its rules accepted.</summary>
    public decimal Value(string valueField) => DecimalText.Parse(this[valueField]!);
}
