using UsageBatch.Providers;
using UsageBatch.Usage;

namespace UsageBatch.Storage;

/// <summary>
/// A provider's usage table as the store needs to know it: its name (never built from input), the columns that say
/// who a row bills (<see cref="Customer"/>), for what (<see cref="Item"/>) and how much (<see cref="Value"/>), and
/// whether groups are split by a UTC bucket of occurred_at. Every table also has the columns the job owns (id,
/// source_key, occurred_at, billing_status, billing_submission_id, … as the README's "Usage table layout" lists).
/// Each dialect writes its statements for a table from this description once (the claim, the planning GROUP BY,
/// the reads), so a provider declares its table and writes no SQL.
/// </summary>
internal sealed partial class UsageTable
{
    // Names are written into statements (never input): lower-case letters, digits and underscores only.
    [System.Text.RegularExpressions.GeneratedRegex("^[a-z][a-z0-9_]*$")]
    private static partial System.Text.RegularExpressions.Regex SqlName();

    public UsageTable(string name, KeyColumns customer, KeyColumns item, KeyColumns value, bool dateBuckets, string? noteColumn = null)
    {
        Name = name;
        Customer = customer;
        Item = item;
        Value = value;
        DateBuckets = dateBuckets;
        NoteColumn = noteColumn;
        Fields = [.. customer.Columns, .. item.Columns, .. value.Columns];
        if (!SqlName().IsMatch(name) || Fields.Any(c => !SqlName().IsMatch(c.Name) || c.Name is "id" or "source_key" or "occurred_at") || (noteColumn is not null && !SqlName().IsMatch(noteColumn)))
        {
            throw new ArgumentException($"usage table {name}: names are lower-case SQL names, and id, source_key and occurred_at are the job's own");
        }

        if (Fields.Select(c => c.Name).Distinct(StringComparer.Ordinal).Count() != Fields.Count)
        {
            throw new ArgumentException($"usage table {name}: a column is named twice among its customer, item and value columns");
        }

        if (value.Columns.Any(c => c.Kind != UsageColumnKind.Decimal) || customer.Columns.Concat(item.Columns).Any(c => c.Kind == UsageColumnKind.Decimal))
        {
            throw new ArgumentException($"usage table {name}: value columns are decimals and key columns are not");
        }
    }

    public string Name { get; }

    /// <summary>Who a row bills: the first of these columns that is set names the group's customer field.</summary>
    public KeyColumns Customer { get; }

    /// <summary>What a row bills: the first of these columns that is set names the group's item field.</summary>
    public KeyColumns Item { get; }

    /// <summary>How much: the first of these columns that is set is the row's value (and the group's value field).</summary>
    public KeyColumns Value { get; }

    /// <summary>Groups are split by the job's UTC bucket (hour, day, month) of occurred_at.</summary>
    public bool DateBuckets { get; }

    /// <summary>A free-text column a DBA may fill, shown beside held and rejected rows (null when the table has none).</summary>
    public string? NoteColumn { get; }

    /// <summary>The provider's columns a <see cref="UsageRow"/> carries, in order: customer, item, then value columns.</summary>
    public IReadOnlyList<UsageColumn> Fields { get; }

    /// <summary>Where a column sits in <see cref="Fields"/>; an unknown name is a bug in a provider's rules.</summary>
    public int IndexOf(string column)
    {
        for (var i = 0; i < Fields.Count; i++)
        {
            if (Fields[i].Name == column)
            {
                return i;
            }
        }

        throw new ArgumentException($"usage table {Name} has no column '{column}'", nameof(column));
    }

    /// <summary>Who and what a row bills, as its group is keyed (the same choice every statement makes).</summary>
    public SubmissionTarget TargetOf(UsageRow row) => new(
        Customer.FieldOf(row), Customer.IdOf(row), Item.FieldOf(row), Item.IdOf(row), Value.FieldOf(row));

    public override string ToString() => Name;
}

/// <summary>The column kinds a usage table's own columns have; each dialect maps a kind to its type.</summary>
internal enum UsageColumnKind
{
    /// <summary>A provider id: ASCII, at most 100 characters (SQL Server varchar(100)).</summary>
    Id,

    /// <summary>Free text, at most 200 characters (SQL Server nvarchar(200)).</summary>
    Text,

    /// <summary>An exact number with up to ten decimals (SQL Server decimal(28,10); canonical text on SQLite).</summary>
    Decimal,
}

internal sealed record UsageColumn(string Name, UsageColumnKind Kind);

/// <summary>
/// The column or columns one part of a group's key comes from. With several, a row sets exactly one (the row rules
/// say so) and the first that is set names the field; rows are matched on every column, a NULL matching a NULL.
/// </summary>
internal sealed class KeyColumns(params UsageColumn[] columns)
{
    public IReadOnlyList<UsageColumn> Columns { get; } = columns.Length > 0 ? columns : throw new ArgumentException("a key needs a column");

    public bool IsChoice => Columns.Count > 1;

    public string FieldOf(UsageRow row) => Columns.FirstOrDefault(c => row[c.Name] is not null)?.Name ?? Columns[^1].Name;

    public string IdOf(UsageRow row) => Columns.Select(c => row[c.Name]).FirstOrDefault(v => v is not null) ?? "";

    /// <summary>Where <paramref name="field"/> sits among the columns (what the claim matches a row's choice on).</summary>
    public int IndexOf(string field)
    {
        for (var i = 0; i < Columns.Count; i++)
        {
            if (Columns[i].Name == field)
            {
                return i;
            }
        }

        throw new ArgumentException($"'{field}' is not one of {string.Join(", ", Columns.Select(c => c.Name))}", nameof(field));
    }
}
