using System.Data.Common;
using System.Globalization;
using UsageBatch.Usage;

namespace UsageBatch.Storage;

/// <summary>
/// The read side of the value codec, written once for both dialects: SQLite answers TEXT for decimals and times
/// (canonical text, the tables' own form), SQL Server typed <c>decimal(28,10)</c> and <c>datetime2(3)</c>. Each
/// reader here accepts both, so a row is mapped by one function whatever database it came from. Decimals are
/// normalized (SQL Server's scale 10 becomes the digits that matter), so both dialects give equal values.
/// </summary>
internal static class DbRead
{
    public static long Long(this DbDataReader reader, int i) => System.Convert.ToInt64(reader.GetValue(i), CultureInfo.InvariantCulture);

    public static long? LongOrNull(this DbDataReader reader, int i) => reader.IsDBNull(i) ? null : reader.Long(i);

    public static int Int(this DbDataReader reader, int i) => System.Convert.ToInt32(reader.GetValue(i), CultureInfo.InvariantCulture);

    public static int? IntOrNull(this DbDataReader reader, int i) => reader.IsDBNull(i) ? null : reader.Int(i);

    public static bool Bool(this DbDataReader reader, int i) => reader.GetValue(i) switch
    {
        bool b => b,
        var other => System.Convert.ToInt64(other, CultureInfo.InvariantCulture) != 0,
    };

    public static string String(this DbDataReader reader, int i) => reader.TextOrNull(i) ?? "";

    /// <summary>A value as the canonical text the validator and reports take: decimals via <see cref="DecimalText"/>, times as UTC text.</summary>
    public static string? TextOrNull(this DbDataReader reader, int i) => reader.GetValue(i) switch
    {
        DBNull => null,
        string text => text,
        decimal d => DecimalText.Format(d),
        DateTime t => UtcText.Format(Utc(t)),
        var other => System.Convert.ToString(other, CultureInfo.InvariantCulture),
    };

    public static DateTimeOffset Time(this DbDataReader reader, int i) => reader.TimeOrNull(i) ?? throw new InvalidOperationException($"column {reader.GetName(i)} is NULL");

    public static DateTimeOffset? TimeOrNull(this DbDataReader reader, int i) => reader.GetValue(i) switch
    {
        DBNull => null,
        string text => UtcText.Parse(text),
        DateTime t => Utc(t),
        DateTimeOffset t => t.ToUniversalTime(),
        var other => throw new InvalidCastException($"column {reader.GetName(i)}: {other.GetType().Name} is not a time"),
    };

    /// <summary>A time a DBA wrote (occurred_at): null when it is missing or not canonical UTC text, never an exception.</summary>
    public static DateTimeOffset? UsageTimeOrNull(this DbDataReader reader, int i) => reader.GetValue(i) switch
    {
        string text => UtcText.TryParseUsage(text, out var value, out _) ? value : null,
        DateTime t => Utc(t),
        _ => null,
    };

    public static decimal Money(this DbDataReader reader, int i) => reader.MoneyOrNull(i) ?? throw new InvalidOperationException($"column {reader.GetName(i)} is NULL");

    public static decimal? MoneyOrNull(this DbDataReader reader, int i) => reader.GetValue(i) switch
    {
        DBNull => null,
        string text => DecimalText.Parse(text),
        decimal d => DecimalText.Normalize(d),
        var other => System.Convert.ToDecimal(other, CultureInfo.InvariantCulture),
    };

    /// <summary>A sum the database computed over rows a DBA wrote: null when SQLite's exact sum met a value that is not canonical decimal.</summary>
    public static decimal? SumOrNull(this DbDataReader reader, int i) => reader.GetValue(i) switch
    {
        string text => DecimalText.TryParse(text, out var value, out _) ? value : null,
        decimal d => DecimalText.Normalize(d),
        _ => null,
    };

    /// <summary>
    /// A usage row of <paramref name="table"/> as every statement answers one: id, source_key, occurred_at, then the
    /// table's <see cref="UsageTable.Fields"/> in order, as canonical text (see <see cref="UsageRowColumns"/>).
    /// </summary>
    public static UsageRow UsageRow(this DbDataReader reader, UsageTable table)
    {
        var fields = new string?[table.Fields.Count];
        for (var i = 0; i < fields.Length; i++)
        {
            fields[i] = reader.TextOrNull(3 + i);
        }

        return new UsageRow(table, reader.Long(0), reader.TextOrNull(1), reader.TextOrNull(2), fields);
    }

    /// <summary>The columns <see cref="UsageRow(DbDataReader, UsageTable)"/> reads, in its order, each prefixed with <paramref name="prefix"/>.</summary>
    public static string UsageRowColumns(UsageTable table, string prefix = "") =>
        string.Join(", ", new[] { "id", "source_key", "occurred_at" }.Concat(table.Fields.Select(c => c.Name)).Select(c => prefix + c));

    public static DateTimeOffset Utc(DateTime value) => new(DateTime.SpecifyKind(value, DateTimeKind.Utc));

    /// <summary>A scalar as <typeparamref name="T"/>: the conversions <see cref="StoreSession.ScalarAsync{T}"/> needs.</summary>
    public static T Convert<T>(object value)
    {
        var target = Nullable.GetUnderlyingType(typeof(T)) ?? typeof(T);
        object converted = target == typeof(DateTimeOffset) ? value switch
            {
                string text => UtcText.Parse(text),
                DateTime t => Utc(t),
                _ => value,
            }
            : target == typeof(decimal) && value is string s ? DecimalText.Parse(s)
            : target == typeof(string) ? System.Convert.ToString(value, CultureInfo.InvariantCulture)!
            : value.GetType() == target ? value
            : System.Convert.ChangeType(value, target, CultureInfo.InvariantCulture);
        return (T)converted;
    }
}
