using System.Text.Json;
using System.Text.Json.Serialization;

namespace UsageBatch.Billing;

internal static class RunSummaryJson
{
    public static readonly JsonSerializerOptions Options = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        WriteIndented = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        Converters = { new RunOutcomeText.JsonConverter() },
    };
}
