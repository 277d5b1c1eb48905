using System.Text.Json.Serialization;

namespace UsageBatch.Emulator.Chargebee;

/// <summary><c>{"list": [{"usage": …}], "next_offset": "…"}</c>; next_offset is absent on the last page.</summary>
internal sealed record ChargebeeList(
    IReadOnlyList<ChargebeeUsageEnvelope> List,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? NextOffset);
