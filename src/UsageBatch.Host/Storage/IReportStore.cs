using UsageBatch.Billing;
using UsageBatch.Providers;
using UsageBatch.Reports;

namespace UsageBatch.Storage;

/// <summary>
/// What reports and reconciliation read from (and, for receipts, write to) the job's own tables. Kept apart from
/// <see cref="IBillingStore"/> so a store can add it without touching the billing contract. A run's report reads only
/// what that run recorded (its run record, the submissions it created or touched, its events and row exceptions),
/// so re-rendering it later gives the same bytes.
/// </summary>
internal interface IReportStore
{
    Task<ReportRunRow?> GetRunAsync(long runId, CancellationToken cancellationToken);

    /// <summary>The newest run that has finished (of <paramref name="job"/> when given).</summary>
    Task<long?> LastFinishedRunIdAsync(string? job, CancellationToken cancellationToken);

    /// <summary>Submissions the run created or recorded an event for, by id.</summary>
    Task<IReadOnlyList<ReportSubmissionRow>> SubmissionsForReportAsync(long runId, CancellationToken cancellationToken);

    /// <summary>The events the run recorded, in order.</summary>
    Task<IReadOnlyList<ReportEventRow>> EventsOfRunAsync(long runId, CancellationToken cancellationToken);

    /// <summary>The rows the run rejected, held or released, in order.</summary>
    Task<IReadOnlyList<ReportExceptionRow>> RowExceptionsOfRunAsync(long runId, CancellationToken cancellationToken);

    /// <summary>
    /// Per subscription: how many distinct submissions were confirmed by runs up to and including
    /// <paramref name="upToRunId"/> (usages known to exist at Chargebee, counted toward its lifetime cap).
    /// </summary>
    /// <summary>Customers (field, id) billed in each of the job's last <paramref name="runs"/> billing runs before the run, and silent in it.</summary>
    Task<IReadOnlyList<(string Field, string Id)>> SilentCustomersAsync(string job, long runId, int runs, CancellationToken cancellationToken);

    Task<IReadOnlyDictionary<string, int>> ConfirmedCountsAsync(string providerAccount, IReadOnlyCollection<string> subscriptionIds, long upToRunId, CancellationToken cancellationToken);

    /// <summary>
    /// Confirmed submissions of the account whose provider-side date lies in [from, to): Chargebee by usage_date,
    /// Whop by the time of the attempt the provider accepted (its created_at is then).
    /// </summary>
    Task<IReadOnlyList<LedgerSubmission>> ConfirmedInPeriodAsync(string providerAccount, ReconcileDating dating, DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken);

    /// <summary>Submissions of the account that own any of these provider usage ids (or, for Chargebee, our own usage ids).</summary>
    Task<IReadOnlyList<LedgerSubmission>> SubmissionsByUsageIdsAsync(string providerAccount, IReadOnlyCollection<string> usageIds, CancellationToken cancellationToken);

    /// <summary>
    /// Writes a receipt (Whop receipt id / Chargebee invoice id) found by reconcile to the submission and to its billed
    /// rows' provider_receipt_id. Returns the number of usage rows updated.
    /// </summary>
    Task<int> RecordReceiptAsync(long submissionId, string receiptId, DateTimeOffset now, CancellationToken cancellationToken);
}
