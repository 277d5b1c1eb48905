using System.Diagnostics;
using Microsoft.Extensions.Logging;
using UsageBatch.Providers;

namespace UsageBatch.Billing;

/// <summary>
/// One submission's way through the sender, as explicit steps: each step's method does its part and names the next.
/// Gate → Send → Record → Done is the common path; a look-up (Resolve) comes first for a Whop submission whose
/// outcome is unknown, and Record leads back to Send (a date clash) or Resolve (an unknown Whop outcome).
/// Crash safety is in the order within Send and Record: mark it sent on the ledger before the request, record the
/// outcome on the ledger before its rows.
/// </summary>
internal sealed partial class SubmissionSender
{
    private enum SendStep
    {
        /// <summary>The term gate (dated usage at a provider that invoices by term): send as dated, re-dated, or not at all.</summary>
        Gate,

        /// <summary>Look it up at the provider before anything is sent again (never re-POST blind where there is no idempotency).</summary>
        Resolve,

        /// <summary>A safe point to stop, then mark it sent on the ledger and call the provider.</summary>
        Send,

        /// <summary>Record the provider's answer on the ledger, or go back to Send or Resolve when the answer asks for it.</summary>
        Record,

        Done,
    }

    /// <summary>What the steps of one submission know, handed from step to step.</summary>
    private sealed class Attempt(LedgerSubmission submission, ProviderSubmission current, DateTimeOffset attemptedAt)
    {
        public LedgerSubmission Submission { get; } = submission;

        /// <summary>What is sent: the ledger row, re-dated by the term gate or after a date clash.</summary>
        public ProviderSubmission Current { get; set; } = current;

        /// <summary>When it was last sent (a look-up lists the provider's usages from then).</summary>
        public DateTimeOffset AttemptedAt { get; set; } = attemptedAt;

        /// <summary>The provider's answer to the last request, for Record.</summary>
        public ProviderOutcome? Outcome { get; set; }

        /// <summary>Unknown outcomes so far (Whop looks each one up, up to the account's attempts).</summary>
        public int Unknowns { get; set; }

        /// <summary>
        /// A request of an earlier run may exist at the provider (recovered 'sent', not looked up): a stop leaves it
        /// unknown for the next run, never void. A look-up that finds nothing clears it.
        /// </summary>
        public bool EarlierRequestMayExist { get; set; }

        /// <summary>The provider refused its usage_date and the date was moved; the new date is not sent yet.</summary>
        public bool DateMoved { get; set; }
    }

    private async Task SendOneAsync(LedgerSubmission submission, bool resolveFirst, CancellationToken stopToken)
    {
        // Every line about this submission, the provider client's included, carries its id as a property.
        using var scope = _logger.BeginScope(new Dictionary<string, object> { ["SubmissionId"] = submission.Id });
        var attempt = new Attempt(submission, ToProviderSubmission(submission), submission.LastAttemptAt ?? _time.GetUtcNow())
        {
            // A recovered Chargebee submission left 'sent' may exist at the provider under our id: the next run sends
            // the same id. Whop resolves it by listing first instead.
            EarlierRequestMayExist = submission.Status == SubmissionStatus.Sent && !resolveFirst,
        };

        // The gate applies only to prepared submissions; only one left 'sent' is looked up first, so never both.
        var step = resolveFirst ? SendStep.Resolve : _termGate.Applies(submission) ? SendStep.Gate : SendStep.Send;
        while (step != SendStep.Done)
        {
            step = step switch
            {
                SendStep.Gate => await GateAsync(attempt, stopToken),
                SendStep.Resolve => await ResolveStepAsync(attempt),
                SendStep.Send => await SendStepAsync(attempt, stopToken),
                SendStep.Record => await RecordAsync(attempt, stopToken),
                SendStep.Done => throw new UnreachableException("the loop ends at Done"),
            };
        }
    }

    private async Task<SendStep> GateAsync(Attempt attempt, CancellationToken stopToken)
    {
        var verdict = await _termGate.CheckAsync(attempt.Submission, attempt.Current, stopToken);
        if (verdict.Send is null)
        {
            await NotSentAsync(attempt.Submission, verdict);
            return SendStep.Done;
        }

        attempt.Current = verdict.Send;
        return SendStep.Send;
    }

    private async Task<SendStep> ResolveStepAsync(Attempt attempt)
    {
        if (await ResolveAsync(attempt.Submission, attempt.Current, attempt.AttemptedAt) is null)
        {
            return SendStep.Done; // confirmed, held or still unknown: done for this run
        }

        attempt.EarlierRequestMayExist = false; // the look-up found nothing: what follows is a first send
        return SendStep.Send;
    }

    private async Task<SendStep> SendStepAsync(Attempt attempt, CancellationToken stopToken)
    {
        var submission = attempt.Submission;

        // Between requests is a safe point: stop here, never between sending and settling.
        if (stopToken.IsCancellationRequested || _leaseLost.IsCancellationRequested)
        {
            await StopBeforeSendAsync(attempt);
            return SendStep.Done;
        }

        attempt.AttemptedAt = _time.GetUtcNow();
        if (!await MarkSentAsync(submission.Id, attempt.AttemptedAt))
        {
            // A prepared one is released (void) by the run on its way out and counted once, there; one left
            // 'sent' by an earlier attempt stays unknown for the next run.
            _logger.LogError("Submission {Submission} is no longer ours or our lease is too short to send it; leaving it", submission.Id);
            if (submission.Status == SubmissionStatus.Sent)
            {
                _summary.Tally(SubmissionStatus.Sent, 0, 0, null);
            }

            return SendStep.Done;
        }

        _summary.CountProviderCall();
        attempt.Outcome = await CallProviderAsync(attempt.Current, stopToken);
        _logger.LogInformation("Submission {Submission} for {Target}: {Outcome}", submission.Id, attempt.Current.Target, attempt.Outcome);
        return SendStep.Record;
    }

    /// <summary>Stopping before a request: only a submission refused for its date and not yet sent again has something to record.</summary>
    private async Task StopBeforeSendAsync(Attempt attempt)
    {
        if (!attempt.DateMoved)
        {
            return; // as it was: a prepared one is released by the run, one left 'sent' stays for the next run
        }

        if (!attempt.EarlierRequestMayExist && !_leaseLost.IsCancellationRequested)
        {
            // Refused for its date and not yet sent again: nothing of it is at the provider.
            await FinishAsync(attempt.Submission, SubmissionStatus.Void, ProviderOutcomes.Stopped("stopped before re-sending with a moved usage_date"), "voided",
                "stopped before re-sending with a moved usage_date; nothing was recorded; released to pending, billed by the next run");
            return;
        }

        _summary.Tally(SubmissionStatus.Sent, 0, 0, null);
    }

    /// <summary>Ledger first: the submission is 'sent' before any request, so a crash during it is resolved by recovery, never lost.</summary>
    private async Task<bool> MarkSentAsync(long submissionId, DateTimeOffset attemptedAt)
    {
        bool marked;
        // Not counted as database-busy time here: the write waits in the ledger's group commit, which counts its own.
        using (RunTimings.Measure(_timings, RunPhase.MarkSent))
        {
            marked = await _store.MarkSentAsync(submissionId, _runId, attemptedAt, _account.Timeout + LeaseMargin, CancellationToken.None);
        }

        return marked || await RenewAndMarkSentAsync(submissionId);
    }

    /// <summary>
    /// The stop token ends only the waits for a rate-limit slot, a lock-out or a back-off (safe points: nothing in
    /// flight); a request under way finishes and is recorded (the client has its own timeout).
    /// </summary>
    private async Task<ProviderOutcome> CallProviderAsync(ProviderSubmission current, CancellationToken stopToken)
    {
        Interlocked.Increment(ref _inFlight);
        try
        {
            using (RunTimings.Measure(_timings, RunPhase.Provider))
            {
                return await _provider.SubmitAsync(current, stopToken);
            }
        }
        finally
        {
            Interlocked.Decrement(ref _inFlight);
        }
    }

    private async Task<SendStep> RecordAsync(Attempt attempt, CancellationToken stopToken)
    {
        var submission = attempt.Submission;
        var outcome = attempt.Outcome!;
        switch (outcome.Kind)
        {
            case OutcomeKind.Confirmed:
                _probation.Pass();
                await FinishAsync(submission, SubmissionStatus.Confirmed, outcome, "confirmed");
                return SendStep.Done;
            case OutcomeKind.Permanent:
                await OnPermanentAsync(submission, outcome);
                return SendStep.Done;
            case OutcomeKind.DateClash:
                var moved = await MoveUsageDateAsync(submission, attempt.Current);
                if (moved is null)
                {
                    return SendStep.Done; // no free date left in the bucket: held
                }

                attempt.Current = moved;
                attempt.DateMoved = true;
                return SendStep.Send;
            case OutcomeKind.Conflict:
            case OutcomeKind.Ambiguous:
                await FinishAsync(submission, SubmissionStatus.Held, outcome, "held",
                    $"{outcome.Message}; review at the provider, then `usagebatch requeue --submission {submission.Id}`");
                return SendStep.Done;
            case OutcomeKind.NotSent:
            case OutcomeKind.Throttled:
                await FinishAsync(submission, SubmissionStatus.Released, outcome, "released",
                    $"not sent after {outcome.Attempts} attempts ({outcome.Message}); released to pending for the next run");
                return SendStep.Done;
            case OutcomeKind.Fatal:
                await OnFatalAsync(submission, FatalReason(outcome));
                return SendStep.Done;
            case OutcomeKind.Stopped when !attempt.EarlierRequestMayExist:
                // Nothing of this submission ever reached the provider: its rows go back to pending now.
                await FinishAsync(submission, SubmissionStatus.Void, outcome, "voided",
                    $"{outcome.Message}; released to pending, billed by the next run");
                return SendStep.Done;
            case OutcomeKind.Unknown when _account.Module.Capabilities.UnknownOutcome == UnknownOutcomeResolution.ListAndMatch && ++attempt.Unknowns < _account.MaxAttempts && !stopToken.IsCancellationRequested:
                // Whop has no idempotency: never re-POST blind. Find out whether it exists first.
                return SendStep.Resolve;
            default:
                // Unknown after every attempt: stays 'sent'; the next run resolves it (same id for Chargebee).
                _logger.LogWarning("Submission {Submission} outcome unknown ({Message}); the next run resolves it", submission.Id, outcome.Message);
                _summary.Tally(SubmissionStatus.Sent, 0, 0, null);
                return SendStep.Done;
        }
    }
}
