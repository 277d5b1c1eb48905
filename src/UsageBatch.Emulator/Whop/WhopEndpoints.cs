using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace UsageBatch.Emulator.Whop;

/// <summary>Routes for Whop v5 billing usages and payments, with the auth and rate-limit gate every v5 call passes.</summary>
internal static class WhopEndpoints
{
    public const string Prefix = "/api/v5";

    public static void MapWhop(this IEndpointRouteBuilder routes, EmulatorState state)
    {
        var create = new WhopCreateHandler(state);
        var query = new WhopQueryHandler(state);
        var payments = new WhopPaymentQueryHandler(state);

        routes.MapPost(Prefix + "/app/billing_usages", async context =>
        {
            using var reader = new StreamReader(context.Request.Body);
            var body = await reader.ReadToEndAsync(context.RequestAborted);
            await EmulatorJson.WriteAsync(context, Gate(context, state) ?? create.Handle(body));
        });
        routes.MapGet(Prefix + "/app/billing_usages", context =>
            EmulatorJson.WriteAsync(context, Gate(context, state) ?? query.List(context.Request.Query)));
        routes.MapGet(Prefix + "/app/billing_usages/{id}", context =>
            EmulatorJson.WriteAsync(context, Gate(context, state) ?? query.Retrieve((string)context.GetRouteValue("id")!)));
        routes.MapGet(Prefix + "/app/payments", context =>
            EmulatorJson.WriteAsync(context, Gate(context, state) ?? payments.List(context.Request.Query)));
        routes.MapGet(Prefix + "/app/payments/{id}", context =>
            EmulatorJson.WriteAsync(context, Gate(context, state) ?? payments.Retrieve((string)context.GetRouteValue("id")!)));
    }

    /// <summary>
    /// Auth first, so a wrong key never spends the account's quota; then the per-emulator limit.
    /// Returns the refusal, or null to proceed.
    /// </summary>
    private static ProviderResponse? Gate(HttpContext context, EmulatorState state)
    {
        string? header = context.Request.Headers.Authorization;
        const string scheme = "Bearer ";
        lock (state.Gate)
        {
            if (header is null
                || !header.StartsWith(scheme, StringComparison.OrdinalIgnoreCase)
                || !state.Fixtures.Whop.ApiKeys.Contains(header[scheme.Length..].Trim()))
            {
                return WhopMessage.Respond(401, "Unauthorized");
            }

            // inferred (the provider's API docs [?]): v5 documents no Retry-After, so none is sent.
            return state.WhopLimiter.TryAcquire(state.Time.GetUtcNow(), state.Fixtures.Settings.Whop)
                ? null
                : WhopMessage.Respond(429, "You are being rate limited");
        }
    }
}
