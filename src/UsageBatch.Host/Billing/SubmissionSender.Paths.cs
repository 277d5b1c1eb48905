using Microsoft.Extensions.Logging;
using UsageBatch.Providers;
using UsageBatch.Usage;

namespace UsageBatch.Billing;

/// <summary>The sender's side paths: a submission kept from the provider, a lease renewed late, an unknown outcome resolved, a usage date moved after a clash.</summary>
internal sealed partial class SubmissionSender
{
    /// <summary>The term gate kept it from the provider: held for a person, or (the provider could not be asked) handled as unsent.</summary>
    private async Task NotSentAsync(LedgerSubmission submission, TermVerdict verdict)
    {
        if (verdict.HoldReason is { } reason)
        {
            await FinishAsync(submission, SubmissionStatus.Held, ProviderOutcome.NotSent(reason), "held", reason);
            return;
        }

        var failure = verdict.Failure!;
        switch (failure.Kind)
        {
            case OutcomeKind.Fatal:
                await OnFatalAsync(submission, FatalReason(failure));
                return;
            case OutcomeKind.Stopped:
                await FinishAsync(submission, SubmissionStatus.Void, failure, "voided", $"{failure.Message}; released to pending, billed by the next run");
                return;
            default:
                // Nothing was sent: the rows go back to pending and the next run asks again.
                await FinishAsync(submission, SubmissionStatus.Released, failure, "released",
                    $"not sent: {failure.Message}; released to pending for the next run");
                return;
        }
    }

    /// <summary>
    /// The store refuses a send the lease might not outlast. A renewal that came late (a busy database, a starved
    /// process) must not leave the submission unsent: renew now (refused if the run was declared dead) and try once more.
    /// </summary>
    private async Task<bool> RenewAndMarkSentAsync(long submissionId)
    {
        var now = _time.GetUtcNow();
        if (_leaseLost.IsCancellationRequested || !await _store.RenewLeaseAsync(_runId, _job.Name, _job.LeaseDuration, CancellationToken.None))
        {
            return false;
        }

        return await _store.MarkSentAsync(submissionId, _runId, now, _account.Timeout + LeaseMargin, CancellationToken.None);
    }

    /// <summary>Whop: find out whether an earlier attempt exists. Returns the submission to send again, or null when done.</summary>
    private async Task<ProviderSubmission?> ResolveAsync(LedgerSubmission submission, ProviderSubmission current, DateTimeOffset attemptedAt)
    {
        var owned = await _store.OwnedUsageIdsAsync(_job.Provider, current.Target, CancellationToken.None);
        var outcome = await _provider.ResolveAsync(current, attemptedAt, owned, CancellationToken.None);
        _logger.LogInformation("Resolving submission {Submission}: {Outcome}", submission.Id, outcome);
        switch (outcome.Kind)
        {
            case OutcomeKind.Confirmed:
                await FinishAsync(submission, SubmissionStatus.Confirmed, outcome, "confirmed", "confirmed by looking it up after an unknown outcome");
                return null;
            case OutcomeKind.NotFound:
                return current;
            case OutcomeKind.Ambiguous:
            case OutcomeKind.Conflict:
                await FinishAsync(submission, SubmissionStatus.Held, outcome, "held",
                    $"{outcome.Message}; several provider usages could be this one: review them, then `usagebatch requeue --submission {submission.Id}`");
                return null;
            case OutcomeKind.Fatal:
                await OnFatalAsync(submission, FatalReason(outcome));
                return null;
            default:
                _summary.Tally(SubmissionStatus.Sent, 0, 0, null);
                return null;
        }
    }

    private async Task<ProviderSubmission?> MoveUsageDateAsync(LedgerSubmission submission, ProviderSubmission current)
    {
        // Someone else has a usage at this date: step back a second at a time past our own dates, inside the bucket.
        var used = await _store.UsedUsageDatesAsync(_job.Provider, current.Target, submission.BucketStart!.Value, submission.BucketEnd!.Value, submission.Id, CancellationToken.None);
        var date = current.UsageDate!.Value.AddSeconds(-1);
        while (used.Contains(date))
        {
            date = date.AddSeconds(-1);
        }

        if (date < submission.BucketStart)
        {
            await FinishAsync(submission, SubmissionStatus.Held, ProviderOutcome.Permanent(400, "invalid_request", "usage_date clash"), "held",
                "every usage_date in the bucket clashes with an existing usage at the provider; review, then requeue");
            return null;
        }

        // Recorded before the re-send: a crash now and a recovery re-POST use the date the provider may have seen.
        await _store.MoveUsageDateAsync(submission.Id, _runId, date, "date_moved", $"usage_date moved to {UtcText.Format(date)} after a clash at the provider",
            _time.GetUtcNow(), CancellationToken.None);
        return current with { UsageDate = date };
    }
}
