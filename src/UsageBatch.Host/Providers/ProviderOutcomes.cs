namespace UsageBatch.Providers;

/// <summary>
/// Factories for the outcome kinds <see cref="ProviderOutcome"/> has no shorthand for. Kept apart from the shared
/// record so the seam file stays as the run's author sees it.
/// </summary>
internal static class ProviderOutcomes
{
    public static ProviderOutcome Throttled(int status, string? code, string message, TimeSpan retryAfter) =>
        new(OutcomeKind.Throttled, message, status, code, RetryAfter: retryAfter);

    public static ProviderOutcome DateClash(int status, string? code, string message, string? param) =>
        new(OutcomeKind.DateClash, message, status, code, param);

    public static ProviderOutcome Conflict(string usageId, string message) =>
        new(OutcomeKind.Conflict, message, UsageId: usageId);

    public static ProviderOutcome Ambiguous(IReadOnlyList<string> candidates) =>
        new(OutcomeKind.Ambiguous, $"{candidates.Count} usages match: {string.Join(", ", candidates)}", Candidates: candidates);

    /// <summary>The run stopped at a safe point (a wait) before this attempt was written: nothing is in flight.</summary>
    public static ProviderOutcome Stopped(string message) => new(OutcomeKind.Stopped, message);

    /// <summary>A refusal our own guard makes before sending (no HTTP status exists).</summary>
    public static ProviderOutcome Refused(string code, string message, string? param) =>
        new(OutcomeKind.Permanent, message, null, code, param);
}
