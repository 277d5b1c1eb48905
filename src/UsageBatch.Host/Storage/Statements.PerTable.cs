using System.Collections.Concurrent;

namespace UsageBatch.Storage;

/// <summary>
/// A statement that names a usage table: its text for a table is written from the table's description the first time
/// it is asked for, then kept (a table's name and columns are fixed, never input).
/// </summary>
internal sealed class PerTable(Func<UsageTable, string> text)
{
    private readonly ConcurrentDictionary<UsageTable, string> _texts = new();

    public string this[UsageTable table] => _texts.GetOrAdd(table, text);

    public static PerTable From(Func<UsageTable, string> text) => new(text);
}
