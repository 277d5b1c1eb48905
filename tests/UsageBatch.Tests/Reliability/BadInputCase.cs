namespace UsageBatch.Tests.Reliability;

/// <summary>
/// One hostile or broken row of the corpus: the columns it is inserted with (values bound as given, so a
/// <c>long</c>, <c>double</c> or <c>byte[]</c> lands in SQLite with that storage class), the state it must end in,
/// and a word its reason must contain (the column, or the provider's field). <see cref="SqliteOnly"/> marks rows
/// only SQLite's loose typing can hold: SQL Server's typed columns would refuse or convert them at insert.
/// </summary>
public sealed record BadInputCase(string Name, string Table, IReadOnlyDictionary<string, object?> Columns, string Expected, string? Mentions,
    bool SqliteOnly = false)
{
    public string SourceKey => (string)Columns["source_key"]!;

    public override string ToString() => Name;
}
