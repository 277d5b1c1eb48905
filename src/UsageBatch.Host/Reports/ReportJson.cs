using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace UsageBatch.Reports;

/// <summary>
/// The reports' JSON: camelCase, indented with <c>\n</c> line ends on every OS, decimals as exact JSON numbers (never
/// floating point on our side), times ISO-8601 UTC, nulls written out so every file has the same shape. The default
/// encoder escapes HTML-significant characters, so the file is also safe to paste into a page.
/// </summary>
internal static class ReportJson
{
    public static readonly JsonSerializerOptions Options = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        WriteIndented = true,
        NewLine = "\n",
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
        Encoder = JavaScriptEncoder.Default,
        Converters = { new UtcTimeConverter() },
    };

    public static string Serialize<T>(T value) => JsonSerializer.Serialize(value, Options) + "\n";

    /// <summary>Times as <c>2026-11-20T03:00:00.000Z</c>, the same text as the ledger and the CSV.</summary>
    private sealed class UtcTimeConverter : JsonConverter<DateTimeOffset>
    {
        public override DateTimeOffset Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
            Usage.UtcText.Parse(reader.GetString()!);

        public override void Write(Utf8JsonWriter writer, DateTimeOffset value, JsonSerializerOptions options) =>
            writer.WriteStringValue(Usage.UtcText.Format(value));
    }
}
