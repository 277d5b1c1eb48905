using System.Text.Json;
using UsageBatch.Providers.Http;

namespace UsageBatch.Providers.Chargebee;

/// <summary>Chargebee's error envelope; <c>error_code</c> is the deprecated fallback when api_error_code is absent.</summary>
internal sealed record ChargebeeError(string? Code, string? Message, string? Param, string? Type)
{
    public static ChargebeeError? TryRead(string? body)
    {
        using var doc = JsonRead.TryParseObject(body);
        if (doc is null)
        {
            return null;
        }

        var root = doc.RootElement;
        var code = JsonRead.String(root, "api_error_code") ?? JsonRead.String(root, "error_code");
        if (code is null && !(root.TryGetProperty("http_status_code", out _) && root.TryGetProperty("message", out var m) && m.ValueKind == JsonValueKind.String))
        {
            // Some other JSON (a proxy's, or a misrouted service's): not Chargebee's envelope.
            return null;
        }

        return new ChargebeeError(
            code,
            JsonRead.String(root, "message") ?? JsonRead.String(root, "error_msg"),
            JsonRead.String(root, "param"),
            JsonRead.String(root, "type"));
    }
}
