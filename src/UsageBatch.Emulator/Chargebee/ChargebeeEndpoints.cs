using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Primitives;

namespace UsageBatch.Emulator.Chargebee;

/// <summary>Routes for Chargebee v2 usages, subscriptions and invoices, with the auth, rate-limit and idempotency gates.</summary>
internal static class ChargebeeEndpoints
{
    public const string Prefix = "/api/v2";
    private const string IdempotencyHeader = "chargebee-idempotency-key";

    public static void MapChargebee(this IEndpointRouteBuilder routes, EmulatorState state)
    {
        var writer = new ChargebeeUsageWriter(state);
        var query = new ChargebeeQueryHandler(state);
        var subscriptions = new ChargebeeSubscriptionView(state);
        var invoices = new ChargebeeInvoiceQuery(state);
        var actions = new ChargebeeInvoiceActions(state);

        routes.MapPost(Prefix + "/subscriptions/{subscriptionId}/usages", context =>
            MutateAsync(context, state, form => writer.Create(SubscriptionId(context), form, RecordedHeaders(context), "api")));
        routes.MapGet(Prefix + "/subscriptions/{subscriptionId}/usages", context =>
            EmulatorJson.WriteAsync(context, Gate(context, state) ?? query.Retrieve(SubscriptionId(context), context.Request.Query["id"])));
        routes.MapPost(Prefix + "/subscriptions/{subscriptionId}/delete_usage", context =>
            MutateAsync(context, state, form => query.Delete(SubscriptionId(context), form.TryGetValue("id", out var id) ? id.ToString() : null)));
        routes.MapGet(Prefix + "/usages", context =>
            EmulatorJson.WriteAsync(context, Gate(context, state) ?? query.List(context.Request.Query)));

        routes.MapGet(Prefix + "/subscriptions/{subscriptionId}", context =>
            EmulatorJson.WriteAsync(context, Gate(context, state) ?? subscriptions.Retrieve(SubscriptionId(context))));
        routes.MapGet(Prefix + "/invoices", context =>
            EmulatorJson.WriteAsync(context, Gate(context, state) ?? invoices.List(context.Request.Query)));
        routes.MapGet(Prefix + "/invoices/{invoiceId}", context =>
            EmulatorJson.WriteAsync(context, Gate(context, state) ?? invoices.Retrieve(InvoiceId(context))));
        routes.MapPost(Prefix + "/invoices/{invoiceId}/close", context =>
            MutateAsync(context, state, form => actions.Close(InvoiceId(context), form)));
        routes.MapPost(Prefix + "/invoices/{invoiceId}/sync_usages", context =>
            MutateAsync(context, state, form => actions.SyncUsages(InvoiceId(context), form)));
        routes.MapPost(Prefix + "/invoices/{invoiceId}/void", context =>
            MutateAsync(context, state, form => actions.Void(InvoiceId(context), form)));
    }

    /// <summary>Form bodies are parsed by hand from the raw text, which the idempotency fingerprint also needs.</summary>
    public static async Task<(string Body, Dictionary<string, StringValues> Form)> ReadFormAsync(HttpContext context)
    {
        using var reader = new StreamReader(context.Request.Body, Encoding.UTF8);
        var body = await reader.ReadToEndAsync(context.RequestAborted);
        return (body, QueryHelpers.ParseQuery(body));
    }

    /// <summary>The optional chargebee-* headers (business entity, event suppression, request origin): accepted, ignored, recorded.</summary>
    public static Dictionary<string, string> RecordedHeaders(HttpContext context) =>
        context.Request.Headers
            .Where(h => h.Key.StartsWith("chargebee-", StringComparison.OrdinalIgnoreCase))
            .ToDictionary(h => h.Key.ToLowerInvariant(), h => h.Value.ToString(), StringComparer.Ordinal);

    private static string SubscriptionId(HttpContext context) => (string)context.GetRouteValue("subscriptionId")!;

    private static string InvoiceId(HttpContext context) => (string)context.GetRouteValue("invoiceId")!;

    private static async Task MutateAsync(HttpContext context, EmulatorState state, Func<IReadOnlyDictionary<string, StringValues>, ProviderResponse> handle)
    {
        var (body, form) = await ReadFormAsync(context);
        var response = Gate(context, state) ?? Idempotent(context, state, body, () => handle(form));
        await EmulatorJson.WriteAsync(context, response);
    }

    /// <summary>Auth first (a wrong key spends no quota), then the site's sliding-window limit.</summary>
    private static ProviderResponse? Gate(HttpContext context, EmulatorState state)
    {
        lock (state.Gate)
        {
            // Terms end whether or not anyone asks; catching up on every request is how the emulator notices.
            ChargebeeRenewals.CatchUp(state);
            if (ApiKey(context) is not { } key || !state.Fixtures.Chargebee.ApiKeys.Contains(key))
            {
                return ChargebeeError.Unauthorized();
            }

            var settings = state.Fixtures.Settings.Chargebee;
            return state.ChargebeeLimiter.TryAdd(state.Time.GetUtcNow(), settings.RequestsPerMinute, settings.Window, out var untilFree)
                ? null
                : ChargebeeError.RateLimited(untilFree);
        }
    }

    /// <summary>Basic auth with the key as user name and an empty password.</summary>
    private static string? ApiKey(HttpContext context)
    {
        string? header = context.Request.Headers.Authorization;
        const string scheme = "Basic ";
        if (header is null || !header.StartsWith(scheme, StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        try
        {
            var decoded = Encoding.UTF8.GetString(Convert.FromBase64String(header[scheme.Length..].Trim()));
            var colon = decoded.IndexOf(':', StringComparison.Ordinal);
            return colon < 0 ? decoded : decoded[..colon];
        }
        catch (FormatException)
        {
            return null;
        }
    }

    private static ProviderResponse Idempotent(HttpContext context, EmulatorState state, string body, Func<ProviderResponse> handle)
    {
        string? key = context.Request.Headers[IdempotencyHeader];
        if (key is null)
        {
            return handle();
        }

        if (key.Length is 0 or > 100)
        {
            return ChargebeeError.WrongValue(IdempotencyHeader, "must be 1 to 100 characters");
        }

        // Chargebee matches a retry on path and body (the provider's API docs).
        var fingerprint = context.Request.Method + " " + context.Request.Path + context.Request.QueryString + "\n" + body;
        lock (state.Gate)
        {
            var now = state.Time.GetUtcNow();
            if (state.Idempotency.TryGet(key, now, out var storedFingerprint, out var stored))
            {
                // inferred (the provider's API docs [?]): reusing a key for a different request is refused.
                return storedFingerprint == fingerprint
                    ? stored! with { Headers = new Dictionary<string, string>(stored.Headers) { ["chargebee-idempotency-replayed"] = "true" } }
                    : ChargebeeError.InvalidRequest(IdempotencyHeader, "The idempotency key was already used for a different request");
            }

            var response = handle();
            // inferred (the provider's API docs [?]): 5xx answers are not stored, so a retry is processed afresh.
            if (response.Status < 500)
            {
                state.Idempotency.Store(key, fingerprint, response, now + state.Fixtures.Settings.Chargebee.IdempotencyWindow);
            }

            return response;
        }
    }
}
