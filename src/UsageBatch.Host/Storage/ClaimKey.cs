using UsageBatch.Providers;

namespace UsageBatch.Storage;

/// <summary>
/// How the claim statements pick one group's rows, written once for every usage table: a parameter @Key0…@KeyN per
/// customer and item column (in <see cref="UsageTable.Fields"/> order), and @ValueIndex when the value is a choice.
/// A key column that is one of a choice gets the group's id when it is the group's field and NULL otherwise, and
/// is matched NULL-safe; a lone key column gets the id and is matched with =.
/// </summary>
internal static class ClaimKey
{
    public const string ValueIndex = "ValueIndex";

    public static string Param(int index) => "Key" + index.ToString(System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>The customer and item columns with their key and parameter, in parameter order.</summary>
    public static IEnumerable<(UsageColumn Column, KeyColumns Key, string Param)> Columns(UsageTable table) =>
        table.Customer.Columns.Select(c => (c, table.Customer))
            .Concat(table.Item.Columns.Select(c => (c, table.Item)))
            .Select((c, i) => (c.Item1, c.Item2, Param(i)));

    /// <summary>The key arguments of <paramref name="target"/>'s group, added to <paramref name="args"/>.</summary>
    public static NamedArgs Add(NamedArgs args, UsageTable table, SubmissionTarget target)
    {
        foreach (var (column, key, param) in Columns(table))
        {
            var (field, id) = key == table.Customer ? (target.CustomerField, target.CustomerId) : (target.ItemField, target.ItemId);
            args.Add(param, Bind(column, !key.IsChoice || column.Name == field ? id : null));
        }

        if (table.Value.IsChoice)
        {
            args.Add(ValueIndex, table.Value.IndexOf(target.ValueField));
        }

        return args;
    }

    /// <summary>A key value typed as its column is (varchar or nvarchar on SQL Server: no implicit conversion, the index seeks).</summary>
    public static Dapper.DbString Bind(UsageColumn column, string? value) =>
        column.Kind == UsageColumnKind.Text ? Arg.Text(value, 200) : Arg.Ansi(value);

    /// <summary>The index of the value column a row's value comes from, as SQL: the first set one, else the last.</summary>
    public static string ValueIndexSql(UsageTable table, string alias) =>
        "CASE " + string.Concat(table.Value.Columns.Take(table.Value.Columns.Count - 1)
            .Select((c, i) => $"WHEN {alias}.{c.Name} IS NOT NULL THEN {i} ")) + $"ELSE {table.Value.Columns.Count - 1} END";

    /// <summary>The first set column of <paramref name="key"/>'s, as SQL (COALESCE of its columns, or the column).</summary>
    public static string FirstSetSql(KeyColumns key, string alias, Func<UsageColumn, string>? cast = null) =>
        key.IsChoice
            ? $"COALESCE({string.Join(", ", key.Columns.Select(c => cast is null ? $"{alias}.{c.Name}" : cast(c)))})"
            : cast is null ? $"{alias}.{key.Columns[0].Name}" : cast(key.Columns[0]);

    /// <summary>The name of the first set column of <paramref name="key"/>'s, as SQL (a CASE, or the lone column's name).</summary>
    public static string FieldSql(KeyColumns key, string alias) =>
        key.IsChoice
            ? "CASE " + string.Concat(key.Columns.Take(key.Columns.Count - 1).Select(c => $"WHEN {alias}.{c.Name} IS NOT NULL THEN '{c.Name}' ")) + $"ELSE '{key.Columns[^1].Name}' END"
            : $"'{key.Columns[0].Name}'";
}
