namespace UsageBatch.Providers;

/// <summary>
/// One aggregate the run asks a provider to record, exactly as the ledger holds it.
/// </summary>
/// <param name="SubmissionId">The ledger row's id.</param>
/// <param name="Target">Customer, item and which value field is sent.</param>
/// <param name="Total">The exact net sum of the covered rows (always &gt; 0 when sent).</param>
/// <param name="UsageId">Chargebee: our deterministic usage id (installation prefix + ledger id). Whop: null (no client id exists).</param>
/// <param name="UsageDate">Chargebee: the usage_date chosen by the run (whole seconds, UTC). Whop: null.</param>
/// <param name="Note">A short trace (job, run, submission, row count) so a provider admin can find the source.</param>
internal sealed record ProviderSubmission(
    long SubmissionId,
    SubmissionTarget Target,
    decimal Total,
    string? UsageId,
    DateTimeOffset? UsageDate,
    string Note);
