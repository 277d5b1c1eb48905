using System.Text.Json.Serialization;

namespace UsageBatch.Emulator.Chargebee;

/// <summary><c>{"list": [{"usage": …}], "next_offset": "…"}</c> (or invoices); next_offset is absent on the last page.</summary>
internal sealed record ChargebeeList<TEntry>(
    IReadOnlyList<TEntry> List,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? NextOffset);
