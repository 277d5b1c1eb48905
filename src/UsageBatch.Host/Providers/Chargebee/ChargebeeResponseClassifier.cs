using UsageBatch.Providers.Http;

namespace UsageBatch.Providers.Chargebee;

/// <summary>
/// Maps one Chargebee v2 answer to an outcome. The envelope is
/// <c>{message, type, api_error_code, param, …}</c> (apidocs "error-handling"); a 404 without it is a wrong URL,
/// not an unknown resource.
/// </summary>
internal sealed class ChargebeeResponseClassifier(TimeSpan defaultRetryAfter, TimeSpan timeout)
{
    /// <summary>Codes that say the account or site is misconfigured, whatever the status: no submission can succeed.</summary>
    private static readonly HashSet<string> FatalCodes = new(StringComparer.Ordinal)
    {
        "site_not_found",
        "configuration_incompatible",
        "api_authorization_failed",
        "api_authentication_failed",
        "basic_authentication_failed",
        "request_blocked",
    };

    /// <summary>The active-period refusal also names usage_date but is about the data, not a clash.</summary>
    private const string ActivePeriodText = "must fall within the period";

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
        var error = ChargebeeError.TryRead(reply.Body);
        var code = error?.Code;
        var text = ReplyText.Describe(status, code, error?.Message, error is null ? "response without Chargebee's error body" : "no message");
        if (code is not null && FatalCodes.Contains(code))
        {
            return ProviderOutcome.Fatal($"account or site configuration refused: {text}", status, code);
        }

        return status switch
        {
            // Chargebee sends Retry-After on 429 (chargebee-php#52); without it wait the account's window.
            429 => ProviderOutcomes.Throttled(status, code, text, RetryAfterHeader.Parse(reply.RetryAfter, now) ?? defaultRetryAfter),
            401 or 403 => ProviderOutcome.Fatal($"authentication or permission refused: {text}", status, code),
            404 when error is null => ProviderOutcome.Fatal($"wrong URL (a 404 that is not Chargebee's): {text}", status, code),
            >= 300 and < 400 => ProviderOutcome.Fatal($"redirected: the base URL or site is probably wrong: {text}", status, code),
            405 => ProviderOutcome.Fatal($"method not allowed: the base URL is probably wrong: {text}", status, code),
            408 => ProviderOutcome.Unknown($"request timeout: {text}", status),
            >= 500 => ProviderOutcome.Unknown($"server error, the usage may have been recorded: {text}", status),
            _ when IsDateClash(code, error) => ProviderOutcomes.DateClash(status, code, text, error!.Param),
            _ => ProviderOutcome.Permanent(status, code, text, error?.Param),
        };
    }

    /// <summary>True when the refusal is our own usage id already existing (then retrieve and compare).</summary>
    public static bool IsDuplicateId(ProviderOutcome outcome) =>
        outcome is { Kind: OutcomeKind.Permanent, ProviderCode: "duplicate_entry", Param: "id" };

    /// <summary>
    /// Another usage holds this (subscription, item price, usage_date). The emulator (and, inferred, Chargebee) say
    /// <c>invalid_request</c> or <c>duplicate_entry</c> with param usage_date; the active-period refusal shares the
    /// param but is permanent.
    /// </summary>
    private static bool IsDateClash(string? code, ChargebeeError? error) =>
        error is { Param: "usage_date" }
        && code is "invalid_request" or "duplicate_entry"
        && (error.Message is null || !error.Message.Contains(ActivePeriodText, StringComparison.OrdinalIgnoreCase));
}
