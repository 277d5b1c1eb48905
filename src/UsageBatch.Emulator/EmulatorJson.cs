using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Http;

namespace UsageBatch.Emulator;

/// <summary>The two JSON dialects spoken here and a helper to answer with a body.</summary>
internal static class EmulatorJson
{
    /// <summary>Provider wire format: snake_case like both real APIs.</summary>
    public static readonly JsonSerializerOptions Provider = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        // Keep '+' and quotes readable in messages; this server never renders into HTML.
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    /// <summary>Control and fixture format: camelCase as the README shows it, lenient on input.</summary>
    public static readonly JsonSerializerOptions Control = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        PropertyNameCaseInsensitive = true,
        ReadCommentHandling = JsonCommentHandling.Skip,
        AllowTrailingCommas = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
    };

    public static string Serialize<T>(T value) => JsonSerializer.Serialize(value, Provider);

    public static async Task WriteAsync(HttpContext context, ProviderResponse response)
    {
        context.Response.StatusCode = response.Status;
        foreach (var (name, value) in response.Headers)
        {
            context.Response.Headers[name] = value;
        }

        if (response.Body.Length == 0)
        {
            return;
        }

        context.Response.ContentType ??= response.ContentType;
        var bytes = Encoding.UTF8.GetBytes(response.Body);
        context.Response.ContentLength = bytes.Length;
        await context.Response.Body.WriteAsync(bytes, context.RequestAborted);
    }
}
