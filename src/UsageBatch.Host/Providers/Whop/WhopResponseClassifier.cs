using System.Text.Json;
using UsageBatch.Providers.Http;

namespace UsageBatch.Providers.Whop;

/// <summary>
/// Maps one Whop v5 answer to an outcome. Whop's envelope is <c>{"message": …}</c>
/// (v5 OpenAPI ErrorResponse); the v1 shape <c>{"error": {"code", "message"}}</c> is accepted too in case an
/// endpoint answers with it. Whop sends no error codes on v5, so Permanent outcomes carry a null code.
/// </summary>
internal sealed class WhopResponseClassifier(TimeSpan lockout, TimeSpan timeout)
{
    /// <summary>Null for 2xx (the caller parses the body); otherwise what the failure means.</summary>
    public ProviderOutcome? ClassifyFailure(ProviderReply reply, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(reply);
        if (!reply.HasResponse)
        {
            return ReplyText.NoResponse(reply, timeout);
        }

        if (reply.IsSuccess)
        {
            return null;
        }

        var status = reply.Status;
        var (hasEnvelope, code, message) = ReadEnvelope(reply.Body);
        var text = ReplyText.Describe(status, code, message, hasEnvelope ? "no message" : "response without Whop's error body");
        return status switch
        {
            // v5 documents no Retry-After; without one the account waits out Whop's lock-out (60 s by default).
            429 => ProviderOutcomes.Throttled(status, code, text, RetryAfterHeader.Parse(reply.RetryAfter, now) ?? lockout),
            401 or 403 => ProviderOutcome.Fatal($"authentication or permission refused: {text}", status, code),
            404 when !hasEnvelope => ProviderOutcome.Fatal($"wrong URL (a 404 that is not Whop's): {text}", status, code),
            >= 300 and < 400 => ProviderOutcome.Fatal($"redirected: the base URL is probably wrong: {text}", status, code),
            405 => ProviderOutcome.Fatal($"method not allowed: the base URL is probably wrong: {text}", status, code),
            408 => ProviderOutcome.Unknown($"request timeout: {text}", status),
            >= 500 => ProviderOutcome.Unknown($"server error, the usage may have been recorded: {text}", status),
            _ => ProviderOutcome.Permanent(status, code, text),
        };
    }

    /// <summary>A 2xx create answer: Confirmed with the exact echoed value, or Unknown if it names no usage.</summary>
    public static ProviderOutcome ParseCreated(ProviderReply reply, string valueField)
    {
        ArgumentNullException.ThrowIfNull(reply);
        using var doc = JsonRead.TryParseObject(reply.Body);
        var usage = doc is null ? null : WhopUsage.From(doc.RootElement);
        if (usage is null)
        {
            // Success without an id proves nothing we can write back: resolve it like any other unknown.
            return ProviderOutcome.Unknown($"HTTP {reply.Status} without a usage id", reply.Status);
        }

        return ProviderOutcome.Confirmed(usage.Id, usage.ReceiptId, usage.Value(valueField), status: reply.Status);
    }

    private static (bool HasEnvelope, string? Code, string? Message) ReadEnvelope(string? body)
    {
        using var doc = JsonRead.TryParseObject(body);
        if (doc is null)
        {
            return (false, null, null);
        }

        var root = doc.RootElement;
        if (root.TryGetProperty("message", out var m) && m.ValueKind == JsonValueKind.String)
        {
            return (true, null, m.GetString());
        }

        if (root.TryGetProperty("error", out var e) && e.ValueKind == JsonValueKind.Object)
        {
            return (true, JsonRead.String(e, "code") ?? JsonRead.String(e, "type"), JsonRead.String(e, "message"));
        }

        return (false, null, null);
    }
}
