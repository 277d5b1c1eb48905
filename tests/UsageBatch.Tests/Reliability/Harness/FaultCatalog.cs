namespace UsageBatch.Reliability;

/// <summary>
/// Every fault the emulator can program, on both providers: 429 bursts in each provider's style (Whop: a bare
/// {"message":"You are being rate limited"} with no Retry-After; Chargebee: its envelope with Retry-After), 500/503,
/// HTML 502 pages, timeouts (answers held past the provider timeout), drops before and after commit, and failures
/// of Whop's listing (which resolves unknown outcomes).
/// </summary>
internal static class FaultCatalog
{
    private const string WhopCreate = "/api/v5/app/billing_usages";
    private const string ChargebeeSubscriptions = "/api/v2/subscriptions/";

    private const string ChargebeeThrottled =
        """{"message":"Sorry, access has been blocked temporarily due to request count exceeding acceptable limits.","type":"operation_failed","api_error_code":"api_request_limit_exceeded","http_status_code":429}""";

    private const string ChargebeeInternal =
        """{"message":"Sorry, something went wrong when trying to process the request.","api_error_code":"internal_error","http_status_code":500}""";

    public static IReadOnlyList<string> Actions { get; } = ["status", "html", "delay", "drop-before-commit", "drop-after-commit"];

    /// <summary>All kinds; <paramref name="timeoutMs"/> is the provider timeout the delays must outlast.</summary>
    public static IReadOnlyList<Func<Random, FaultSpec>> All(int timeoutMs) =>
    [
        r => new("whop-429", "POST", WhopCreate, "status", r.Next(1, 4), 429, """{"message":"You are being rate limited"}"""),
        r => new("whop-500", "POST", WhopCreate, "status", r.Next(1, 3), 500, """{"message":"Internal server error"}"""),
        r => new("whop-503", "POST", WhopCreate, "status", r.Next(1, 3), 503, ""),
        r => new("whop-html-502", "POST", WhopCreate, "html", r.Next(1, 3), 502),
        r => new("whop-timeout", "POST", WhopCreate, "delay", 1, DelayMs: timeoutMs + 800),
        r => new("whop-drop-before-commit", "POST", WhopCreate, "drop-before-commit", r.Next(1, 3)),
        r => new("whop-drop-after-commit", "POST", WhopCreate, "drop-after-commit", r.Next(1, 3)),
        r => new("whop-list-503", "GET", WhopCreate, "status", r.Next(1, 3), 503, """{"message":"Service unavailable"}"""),
        r => new("chargebee-429", "POST", ChargebeeSubscriptions, "status", r.Next(1, 4), 429, ChargebeeThrottled,
            new Dictionary<string, string> { ["Retry-After"] = "1" }),
        r => new("chargebee-500", "POST", ChargebeeSubscriptions, "status", r.Next(1, 3), 500, ChargebeeInternal),
        r => new("chargebee-503", "POST", ChargebeeSubscriptions, "status", r.Next(1, 3), 503, ""),
        r => new("chargebee-html-502", "POST", ChargebeeSubscriptions, "html", r.Next(1, 3), 502),
        r => new("chargebee-timeout", "POST", ChargebeeSubscriptions, "delay", 1, DelayMs: timeoutMs + 800),
        r => new("chargebee-drop-before-commit", "POST", ChargebeeSubscriptions, "drop-before-commit", r.Next(1, 3)),
        r => new("chargebee-drop-after-commit", "POST", ChargebeeSubscriptions, "drop-after-commit", r.Next(1, 3)),
    ];
}
