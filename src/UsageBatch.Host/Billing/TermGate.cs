using Microsoft.Extensions.Logging;
using UsageBatch.Configuration;
using UsageBatch.Providers;
using UsageBatch.Storage;
using UsageBatch.Usage;

namespace UsageBatch.Billing;

/// <summary>What the gate decided for one submission before its first send.</summary>
/// <param name="Send">What to send (re-dated when the policy moved it), or null when it is not to be sent.</param>
/// <param name="HoldReason">Held, never sent: why, and the way out.</param>
/// <param name="Failure">The provider could not be asked: handled like any answer that left nothing at the provider.</param>
internal sealed record TermVerdict(ProviderSubmission? Send, string? HoldReason = null, ProviderOutcome? Failure = null);

/// <summary>
/// Before a never-sent submission of a provider that invoices by term goes out: is its usage date still billable?
/// A date in an ended term whose invoice is closed (late) follows the job's <see cref="LateUsagePolicy"/>; a date when
/// the subscription was not active is always held; a date in an ended term whose invoice is still pending is sent and
/// the ledger names the invoice it lands on. Every finding is an event on the submission, which the run report lists.
/// </summary>
internal sealed class TermGate(IBillingStore store, IUsageProvider provider, JobOptions job, ProviderAccountOptions account, long runId, TimeProvider time, ILogger logger)
{
    /// <summary>Event names the report's late-usage section reads.</summary>
    public const string LateEvent = "late";
    public const string InactiveEvent = "inactive";
    public const string PendingInvoiceEvent = "pending_invoice";
    public const string RedatedEvent = "redated";
    public const string SentLateEvent = "sent_late";

    /// <summary>How a late group's held reason starts (the console offers its way out by it).</summary>
    public const string LateReasonPrefix = "late: ";

    public static readonly IReadOnlySet<string> Events = new HashSet<string>(StringComparer.Ordinal)
        { LateEvent, InactiveEvent, PendingInvoiceEvent, RedatedEvent, SentLateEvent };

    /// <summary>Only a first send is checked: a submission already sent may exist at the provider under its date.</summary>
    public bool Applies(LedgerSubmission submission) =>
        account.Module.Capabilities.InvoicesByTerm && submission.Status == SubmissionStatus.Prepared && submission.UsageDate is not null;

    public async Task<TermVerdict> CheckAsync(LedgerSubmission submission, ProviderSubmission current, CancellationToken stopToken)
    {
        TermCheck check;
        try
        {
            check = await provider.CheckTermAsync(current, stopToken);
        }
        catch (OperationCanceledException) when (stopToken.IsCancellationRequested)
        {
            return new TermVerdict(null, Failure: ProviderOutcomes.Stopped("stopped while reading the subscription's terms"));
        }

        if (check.Failure is { } failure)
        {
            return new TermVerdict(null, Failure: failure with { Message = $"could not read the subscription's terms: {failure.Message}" });
        }

        var now = time.GetUtcNow();
        switch (check.Standing)
        {
            case TermStanding.CurrentTerm:
                return new TermVerdict(current);
            case TermStanding.PendingInvoice:
                await store.RecordEventAsync(submission.Id, runId, PendingInvoiceEvent, check.Detail, now, CancellationToken.None);
                return new TermVerdict(current);
            case TermStanding.Inactive:
                await store.RecordEventAsync(submission.Id, runId, InactiveEvent, check.Detail, now, CancellationToken.None);
                return new TermVerdict(null, $"inactive: {check.Detail}; nothing was sent. Check the subscription (a usage of another subscription?), fix the rows, then `usagebatch requeue --submission {submission.Id}`");
            case TermStanding.Late:
                return await LateAsync(submission, current, check, now);
            default:
                throw new InvalidOperationException($"unknown term standing {check.Standing}");
        }
    }

    private async Task<TermVerdict> LateAsync(LedgerSubmission submission, ProviderSubmission current, TermCheck check, DateTimeOffset now)
    {
        await store.RecordEventAsync(submission.Id, runId, LateEvent, check.Detail, now, CancellationToken.None);
        switch (job.LateUsagePolicy)
        {
            case LateUsagePolicy.Send:
                await store.RecordEventAsync(submission.Id, runId, SentLateEvent, $"sent as dated (lateUsage: send): {check.Detail}", now, CancellationToken.None);
                logger.LogWarning("Submission {Submission} is late and sent as dated (lateUsage: send): {Detail}", submission.Id, check.Detail);
                return new TermVerdict(current);
            case LateUsagePolicy.CurrentTerm:
                var date = await IntoCurrentTermAsync(store, job.Provider, submission, check, now);
                if (date is null)
                {
                    return new TermVerdict(null, $"{LateReasonPrefix}{check.Detail}; lateUsage is currentTerm, but every second of the current term up to now already has a usage of this subscription and item price; review, then `usagebatch requeue --submission {submission.Id} --into-current-term`");
                }

                await store.MoveUsageDateAsync(submission.Id, runId, date.Value, RedatedEvent,
                    $"re-dated into the current term as {UtcText.Format(date.Value)} (lateUsage: currentTerm); was {UtcText.Format(submission.UsageDate!.Value)}: {check.Detail}", now, CancellationToken.None);
                return new TermVerdict(current with { UsageDate = date, Note = SubmissionNote.For(submission with { UsageDate = date }) });
            case LateUsagePolicy.Hold:
                return new TermVerdict(null, $"{LateReasonPrefix}{check.Detail}; nothing was sent. `usagebatch requeue --submission {submission.Id} --into-current-term` re-dates it into the current term and the next run sends it (or regenerate that invoice at the provider, then `usagebatch requeue --submission {submission.Id}`)");
            default:
                throw new InvalidOperationException($"unknown lateUsage policy {job.LateUsagePolicy}");
        }
    }

    /// <summary>
    /// The usage date of a late group moved into the current term: now (the provider bills the current term at its end),
    /// kept inside the term, stepped back a second at a time past the dates the ledger already used for this
    /// subscription and item price (one usage per date), never before the term's start. Null when no second is free.
    /// </summary>
    public static async Task<DateTimeOffset?> IntoCurrentTermAsync(IBillingStore store, string account, LedgerSubmission submission, TermCheck check, DateTimeOffset now)
    {
        var start = check.CurrentTermStart ?? UtcText.WholeSeconds(now);
        var latest = UtcText.WholeSeconds(now);
        if (check.CurrentTermEnd is { } end && latest >= end)
        {
            latest = end.AddSeconds(-1);
        }

        if (latest < start)
        {
            latest = start;
        }

        var used = await store.UsedUsageDatesAsync(account, submission.Target, start, latest.AddSeconds(1), submission.Id, CancellationToken.None);
        var date = latest;
        while (used.Contains(date))
        {
            date = date.AddSeconds(-1);
        }

        return date < start ? null : date;
    }
}
