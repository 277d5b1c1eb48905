using Microsoft.AspNetCore.Http;

namespace UsageBatch.Emulator.Faults;

/// <summary>
/// Runs before auth and rate limits on provider paths: the added latency, then the first matching fault.
/// Control endpoints never pass through here, so tests can always inspect and reset.
/// </summary>
internal sealed class FaultMiddleware(RequestDelegate next, EmulatorState state, int latencyMs)
{
    private const string DefaultHtml = "<html><body><h1>502 Bad Gateway</h1></body></html>";

    public async Task InvokeAsync(HttpContext context)
    {
        if (!context.Request.Path.StartsWithSegments("/api", StringComparison.Ordinal))
        {
            await next(context);
            return;
        }

        if (latencyMs > 0)
        {
            await Task.Delay(latencyMs, context.RequestAborted);
        }

        var fault = state.Faults.Take(context.Request.Method, context.Request.Path.Value ?? "");
        switch (fault?.Action)
        {
            case null:
                await next(context);
                break;
            case FaultActions.Status:
                await EmulatorJson.WriteAsync(context, Canned(fault, 500, fault.Body ?? "", GuessContentType(fault.Body)));
                break;
            case FaultActions.Html:
                await EmulatorJson.WriteAsync(context, Canned(fault, 502, fault.Body ?? DefaultHtml, "text/html; charset=utf-8"));
                break;
            case FaultActions.Delay:
                var body = await ProcessBufferedAsync(context);
                await Task.Delay(fault.DelayMs, context.RequestAborted);
                await context.Response.Body.WriteAsync(body, context.RequestAborted);
                break;
            case FaultActions.DropBeforeCommit:
                // The request is never processed: the client sees a reset and nothing was stored.
                context.Abort();
                break;
            default:
                // drop-after-commit: processed and stored, but the answer is lost on the way back.
                await ProcessBufferedAsync(context);
                context.Abort();
                break;
        }
    }

    private static ProviderResponse Canned(Fault fault, int defaultStatus, string body, string contentType) =>
        new(fault.Status ?? defaultStatus, body, contentType)
        {
            Headers = fault.Headers ?? new Dictionary<string, string>(),
        };

    private static string GuessContentType(string? body) =>
        body is not null && body.TrimStart() is ['{', ..] or ['[', ..] ? "application/json; charset=utf-8" : "text/plain; charset=utf-8";

    /// <summary>
    /// Lets the endpoint write into a buffer, so nothing reaches the client until the caller decides:
    /// send it late (delay) or never (drop-after-commit). Status and headers are only sent with the first byte.
    /// </summary>
    private async Task<byte[]> ProcessBufferedAsync(HttpContext context)
    {
        var original = context.Response.Body;
        using var buffer = new MemoryStream();
        context.Response.Body = buffer;
        try
        {
            await next(context);
        }
        finally
        {
            context.Response.Body = original;
        }

        return buffer.ToArray();
    }
}
