namespace UsageBatch.Providers;

/// <summary>
/// The meaning of a provider answer, as a value (failures are data at this boundary, never exceptions).
/// Messages never contain API keys or Authorization headers.
/// </summary>
internal sealed record ProviderOutcome(
    OutcomeKind Kind,
    string Message,
    int? HttpStatus = null,
    string? ProviderCode = null,
    string? Param = null,
    string? UsageId = null,
    string? ReceiptId = null,
    decimal? EchoedTotal = null,
    DateTimeOffset? EchoedUsageDate = null,
    TimeSpan? RetryAfter = null,
    int Attempts = 1,
    IReadOnlyList<string>? Candidates = null)
{
    public static ProviderOutcome Confirmed(string usageId, string? receiptId, decimal? echoedTotal, DateTimeOffset? echoedUsageDate = null, int? status = null) =>
        new(OutcomeKind.Confirmed, "confirmed", status, UsageId: usageId, ReceiptId: receiptId, EchoedTotal: echoedTotal, EchoedUsageDate: echoedUsageDate);

    public static ProviderOutcome Permanent(int status, string? code, string message, string? param = null) =>
        new(OutcomeKind.Permanent, message, status, code, param);

    public static ProviderOutcome Fatal(string message, int? status = null, string? code = null) =>
        new(OutcomeKind.Fatal, message, status, code);

    public static ProviderOutcome Unknown(string message, int? status = null) =>
        new(OutcomeKind.Unknown, message, status);

    public static ProviderOutcome NotSent(string message) =>
        new(OutcomeKind.NotSent, message);

    public static ProviderOutcome NotFound(string message = "no matching usage at the provider") =>
        new(OutcomeKind.NotFound, message);

    public override string ToString() =>
        $"{Kind}{(HttpStatus is { } s ? $" {s}" : "")}{(ProviderCode is null ? "" : $" {ProviderCode}")}: {Message}";
}
