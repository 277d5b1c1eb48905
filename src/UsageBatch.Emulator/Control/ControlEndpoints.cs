using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using UsageBatch.Emulator.Chargebee;
using UsageBatch.Emulator.Faults;

namespace UsageBatch.Emulator.Control;

/// <summary>
/// /_emulator/*: test and demo hooks. No auth, no latency, never rate-limited, never faulted, so a test can
/// always see and reset what happened.
/// </summary>
internal static class ControlEndpoints
{
    public const string Prefix = "/_emulator";

    public static void MapControl(this IEndpointRouteBuilder routes, EmulatorState state)
    {
        routes.MapGet(Prefix + "/ledger", context => WriteAsync(context, 200, Ledger(state)));
        routes.MapPost(Prefix + "/reset", context =>
        {
            state.Reset();
            return WriteAsync(context, 200, new JsonObject { ["reset"] = true });
        });
        routes.MapPost(Prefix + "/fixtures", ReplaceFixturesAsync(state));
        routes.MapPost(Prefix + "/faults", AddFaultAsync(state));
        // What is left of each fault (count = matches still to come): a harness tells from it which faults were used.
        routes.MapGet(Prefix + "/faults", context => WriteAsync(context, 200,
            new JsonObject { ["faults"] = JsonSerializer.SerializeToNode(state.Faults.Snapshot(), EmulatorJson.Control) }));
        routes.MapDelete(Prefix + "/faults", context =>
        {
            state.Faults.Clear();
            return WriteAsync(context, 200, new JsonObject { ["faults"] = 0 });
        });
        routes.MapClock(Prefix, state);
        routes.MapPost(Prefix + "/chargebee/invoice", InvoiceAsync(state));
        routes.MapWhopControl(Prefix, state);

        // Emulator-only: record a usage "behind the job's back" (as if entered in Chargebee's admin console),
        // so reconcile tests can find usages the ledger does not own. Same form body as the real create, plus
        // subscription_id; no auth, no idempotency, no rate limit.
        var writer = new ChargebeeUsageWriter(state);
        routes.MapPost(Prefix + "/chargebee/usages", async context =>
        {
            var (_, form) = await ChargebeeEndpoints.ReadFormAsync(context);
            var subscriptionId = form.TryGetValue("subscription_id", out var id) ? id.ToString() : "";
            await EmulatorJson.WriteAsync(context, writer.Create(subscriptionId, form, ChargebeeEndpoints.RecordedHeaders(context), "admin_console"));
        });
    }

    private static JsonObject Ledger(EmulatorState state)
    {
        lock (state.Gate)
        {
            // Show what a provider call would see now, renewals included.
            ChargebeeRenewals.CatchUp(state);
            var chargebee = new JsonArray();
            foreach (var usage in state.ChargebeeUsages)
            {
                var node = JsonSerializer.SerializeToNode(usage, EmulatorJson.Provider)!.AsObject();
                // Emulator-only field: the optional chargebee-* headers the create carried.
                node["emulator_request_headers"] = JsonSerializer.SerializeToNode(usage.RequestHeaders, EmulatorJson.Provider);
                chargebee.Add(node);
            }

            return new JsonObject
            {
                ["whop"] = JsonSerializer.SerializeToNode(state.WhopUsages, EmulatorJson.Provider),
                ["whop_payments"] = JsonSerializer.SerializeToNode(state.WhopPayments, EmulatorJson.Provider),
                ["chargebee"] = chargebee,
                ["chargebee_invoices"] = JsonSerializer.SerializeToNode(state.ChargebeeInvoices, EmulatorJson.Provider),
            };
        }
    }

    private static RequestDelegate ReplaceFixturesAsync(EmulatorState state) => async context =>
    {
        EmulatorFixtures fixtures;
        try
        {
            fixtures = FixtureLoader.Parse(await ReadBodyAsync(context));
        }
        catch (JsonException e)
        {
            await WriteAsync(context, 400, new JsonObject { ["message"] = "Invalid fixture JSON: " + e.Message });
            return;
        }

        state.ReplaceFixtures(fixtures);
        await WriteAsync(context, 200, new JsonObject { ["fixtures"] = "replaced" });
    };

    private static RequestDelegate AddFaultAsync(EmulatorState state) => async context =>
    {
        Fault? fault;
        try
        {
            fault = JsonSerializer.Deserialize<Fault>(await ReadBodyAsync(context), EmulatorJson.Control);
        }
        catch (JsonException e)
        {
            await WriteAsync(context, 400, new JsonObject { ["message"] = "Invalid fault JSON: " + e.Message });
            return;
        }

        var problem = fault is null ? "The fault is empty" : state.Faults.Add(fault);
        await (problem is null
            ? WriteAsync(context, 200, new JsonObject { ["faults"] = state.Faults.Count })
            : WriteAsync(context, 400, new JsonObject { ["message"] = problem }));
    };

    /// <summary>
    /// Simulates Chargebee invoicing a subscription: one invoice id for all its uninvoiced usages, whatever their
    /// dates. Older than terms and kept for the tests that only need an invoice id; it creates no invoice resource.
    /// </summary>
    private static RequestDelegate InvoiceAsync(EmulatorState state) => async context =>
    {
        var subscriptionId = await ReadStringFieldAsync(context, "subscriptionId");
        JsonObject? result = null;
        lock (state.Gate)
        {
            // Renewals first, so a term that has ended keeps its own usages.
            ChargebeeRenewals.CatchUp(state);
            if (subscriptionId is not null && state.Fixtures.Chargebee.Subscriptions.Any(s => s.Id == subscriptionId))
            {
                var invoiceId = Ids.New("inv_");
                var now = state.Time.GetUtcNow();
                var usages = state.ChargebeeUsages.Where(u => u.SubscriptionId == subscriptionId && u.InvoiceId is null).ToList();
                foreach (var usage in usages)
                {
                    usage.InvoiceId = invoiceId;
                    usage.LineItemId = Ids.New("li_");
                    usage.UpdatedAt = now.ToUnixTimeSeconds();
                    usage.ResourceVersion = now.ToUnixTimeMilliseconds();
                }

                result = new JsonObject
                {
                    ["invoice_id"] = invoiceId,
                    ["usages"] = JsonSerializer.SerializeToNode(usages, EmulatorJson.Provider),
                };
            }
        }

        await WriteResultAsync(context, result, "Unknown subscriptionId");
    };

    internal static Task WriteResultAsync(HttpContext context, JsonObject? result, string notFound) =>
        result is not null
            ? WriteAsync(context, 200, result)
            : WriteAsync(context, 404, new JsonObject { ["message"] = notFound });

    internal static async Task<string> ReadBodyAsync(HttpContext context)
    {
        using var reader = new StreamReader(context.Request.Body);
        return await reader.ReadToEndAsync(context.RequestAborted);
    }

    private static async Task<string?> ReadStringFieldAsync(HttpContext context, string name) =>
        StringField(await ReadBodyAsync(context), name);

    internal static string? StringField(string json, string name)
    {
        try
        {
            using var document = JsonDocument.Parse(json);
            return document.RootElement.ValueKind == JsonValueKind.Object
                && document.RootElement.TryGetProperty(name, out var value)
                && value.ValueKind == JsonValueKind.String
                ? value.GetString()
                : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    internal static Task WriteAsync(HttpContext context, int status, JsonNode body) =>
        EmulatorJson.WriteAsync(context, new ProviderResponse(status, body.ToJsonString(EmulatorJson.Provider)));
}
