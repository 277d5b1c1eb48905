using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using UsageBatch.Emulator.Chargebee;

namespace UsageBatch.Emulator.Control;

/// <summary>
/// /_emulator/clock: read the emulator's time, or move it forward so renewals happen now instead of in a month.
/// Never backwards: invoices already generated cannot be taken back.
/// </summary>
internal static class ClockEndpoints
{
    // A second short of DateTimeOffset's end, so "now" plus its sub-second part can never overflow.
    private static readonly long Latest = DateTimeOffset.MaxValue.ToUnixTimeSeconds() - 1;

    public static void MapClock(this IEndpointRouteBuilder routes, string prefix, EmulatorState state)
    {
        routes.MapGet(prefix + "/clock", context => WriteAsync(context, 200, Now(state)));
        routes.MapPost(prefix + "/clock", async context =>
        {
            using var reader = new StreamReader(context.Request.Body);
            var body = await reader.ReadToEndAsync(context.RequestAborted);
            var (status, answer) = Move(state, body);
            await WriteAsync(context, status, answer);
        });
    }

    private static (int Status, JsonObject Answer) Move(EmulatorState state, string body)
    {
        long? advance, to;
        try
        {
            using var document = JsonDocument.Parse(body);
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                return Refuse("The body must be a JSON object");
            }

            advance = Integer(document.RootElement, "advanceSeconds");
            to = Integer(document.RootElement, "to");
        }
        catch (Exception e) when (e is JsonException or FormatException or InvalidOperationException)
        {
            return Refuse("advanceSeconds and to must be integers (seconds): " + e.Message);
        }

        if ((advance is null) == (to is null))
        {
            return Refuse("Give exactly one of advanceSeconds or to");
        }

        lock (state.Gate)
        {
            var now = state.Time.GetUtcNow();
            var nowSeconds = now.ToUnixTimeSeconds();
            if (advance < 0 || to < nowSeconds)
            {
                return Refuse($"The clock only moves forward; it is {nowSeconds}");
            }

            var target = to ?? (advance > Latest - nowSeconds ? Latest + 1 : nowSeconds + advance!.Value);
            if (target > Latest)
            {
                return Refuse($"The clock cannot go past {Latest}");
            }

            // "to" lands exactly on its second; "advanceSeconds" keeps the sub-second part, as a real wait would.
            var by = to is null ? TimeSpan.FromSeconds(advance!.Value) : DateTimeOffset.FromUnixTimeSeconds(target) - now;
            if (by > TimeSpan.Zero)
            {
                state.Time.Advance(by);
            }

            ChargebeeRenewals.CatchUp(state);
            return (200, Now(state));
        }
    }

    /// <summary>The named property as a whole number, null when absent or null.</summary>
    private static long? Integer(JsonElement root, string name)
    {
        foreach (var property in root.EnumerateObject())
        {
            if (string.Equals(property.Name, name, StringComparison.OrdinalIgnoreCase) && property.Value.ValueKind != JsonValueKind.Null)
            {
                return property.Value.GetInt64();
            }
        }

        return null;
    }

    private static JsonObject Now(EmulatorState state) => new() { ["now"] = state.Time.GetUtcNow().ToUnixTimeSeconds() };

    private static (int, JsonObject) Refuse(string message) => (400, new JsonObject { ["message"] = message });

    private static Task WriteAsync(HttpContext context, int status, JsonObject body) =>
        EmulatorJson.WriteAsync(context, new ProviderResponse(status, body.ToJsonString(EmulatorJson.Provider)));
}
