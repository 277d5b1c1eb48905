using UsageBatch.Usage;
using System.Globalization;
using System.Text.Json;

namespace UsageBatch.Providers.Http;

/// <summary>Tolerant, exact readers over provider JSON: decimals never pass through double.</summary>
internal static class JsonRead
{
    /// <summary>Parses a body that should be a JSON object; null for empty, HTML or truncated bodies.</summary>
    public static JsonDocument? TryParseObject(string? body)
    {
        if (string.IsNullOrWhiteSpace(body))
        {
            return null;
        }

        try
        {
            var doc = JsonDocument.Parse(body);
            if (doc.RootElement.ValueKind == JsonValueKind.Object)
            {
                return doc;
            }

            doc.Dispose();
            return null;
        }
        catch (JsonException)
        {
            // Gateways answer with HTML pages; classification then goes by status code alone.
            return null;
        }
    }

    public static string? String(JsonElement obj, string name) =>
        obj.ValueKind == JsonValueKind.Object && obj.TryGetProperty(name, out var p)
            ? p.ValueKind switch
            {
                JsonValueKind.String => p.GetString(),
                JsonValueKind.Number => p.GetRawText(),
                _ => null,
            }
            : null;

    /// <summary>A JSON number or numeric string as an exact decimal (Utf8 number parsing keeps every digit).</summary>
    public static decimal? Decimal(JsonElement obj, string name)
    {
        if (obj.ValueKind != JsonValueKind.Object || !obj.TryGetProperty(name, out var p))
        {
            return null;
        }

        return p.ValueKind switch
        {
            JsonValueKind.Number when p.TryGetDecimal(out var d) => d,
            JsonValueKind.String when DecimalText.TryParseLenient(p.GetString(), out var d) => d,
            _ => null,
        };
    }

    public static long? Long(JsonElement obj, string name)
    {
        if (obj.ValueKind != JsonValueKind.Object || !obj.TryGetProperty(name, out var p))
        {
            return null;
        }

        return p.ValueKind switch
        {
            JsonValueKind.Number when p.TryGetInt64(out var l) => l,
            JsonValueKind.Number when p.TryGetDecimal(out var d) => (long)decimal.Truncate(d),
            JsonValueKind.String when long.TryParse(p.GetString(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var l) => l,
            _ => null,
        };
    }

    public static DateTimeOffset? UnixSeconds(JsonElement obj, string name) =>
        Long(obj, name) is { } s ? DateTimeOffset.FromUnixTimeSeconds(s) : null;
}
