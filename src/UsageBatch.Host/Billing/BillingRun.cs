using Microsoft.Extensions.Logging;
using UsageBatch.Configuration;
using UsageBatch.Providers;
using UsageBatch.Storage;
using UsageBatch.Usage;

namespace UsageBatch.Billing;

/// <summary>
/// One run of one job, phase by phase: recover → validate → claim and prepare → send →
/// settle → summary. Every phase is short transactions; the ledger row of a group is committed before it is sent,
/// so a kill at any instant leaves a state the next run finishes.
/// </summary>
internal sealed class BillingRun
{
    private readonly IBillingStore _store;
    private readonly IUsageProvider _provider;
    private readonly JobOptions _job;
    private readonly ProviderAccountOptions _account;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly RunOptions _options;
    private readonly UsageTable _table;

    public BillingRun(IBillingStore store, IUsageProvider provider, JobOptions job, ProviderAccountOptions account,
        TimeProvider time, ILogger logger, RunOptions options)
    {
        _store = store;
        _provider = provider;
        _job = job;
        _account = account;
        _time = time;
        _logger = logger;
        _options = options;
        _table = account.Module.Table;
    }

    public async Task<RunSummary> ExecuteAsync(DateTimeOffset scheduledAt, CancellationToken stopToken)
    {
        var now = _time.GetUtcNow();
        var summary = NewSummary(scheduledAt, now);
        var rules = new ValidationRules(_account.EffectiveQuantityDecimals, _account.EffectiveAmountDecimals, summary.Cutoff - _job.MaxAge);
        if (_options.DryRun)
        {
            await new DryRun(_store, _job, _account, _table, _time, _provider).PlanAsync(summary, rules, stopToken);
            return summary;
        }

        var host = _options.Host ?? Environment.MachineName;
        var runId = await _store.StartRunAsync(new RunRecord(_job.Name, _job.Provider, _table.Name, false, scheduledAt, summary.Cutoff, now,
            _job.LeaseDuration, host, Environment.ProcessId, ProcessIdentity.CurrentStart), stopToken);
        summary.RunId = runId;
        using var scope = _logger.BeginScope(new Dictionary<string, object> { ["Job"] = _job.Name, ["RunId"] = runId, ["Provider"] = summary.Provider });

        // A run this host started whose process is gone is dead now, not when its lease lapses: free its guard and
        // let recovery take its work over at once.
        await new CrashedRuns(_store, _time, _logger).DeclareDeadAsync(runId, host, stopToken);
        if (_options.UseRunGuard && !await _store.TryAcquireJobLockAsync(_job.Name, runId, _job.LeaseDuration, stopToken))
        {
            return await SkipAsync(summary, now);
        }

        // The lease is renewed while we live; if someone declared this run dead, everything stops at once.
        using var leaseLost = new CancellationTokenSource();
        await using var renewal = new LeaseRenewal(_store, runId, _job.Name, _job.LeaseDuration, _time, _logger, leaseLost);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(stopToken, leaseLost.Token);
        // Confirmed submissions' rows are settled for the whole run after the sends (SettleConfirmedAsync), not one by one.
        var sender = new SubmissionSender(_store, _provider, _job, _account, _time, _logger, runId, summary, leaseLost.Token, _options.Timings)
            { Progress = _options.Progress };
        // Say what a stop waits for: the operator sees why the process has not exited yet.
        using var onStop = stopToken.Register(() => _logger.LogWarning(
            "Stop requested: run {RunId} stops at its next safe point; of its {InFlight} submissions at the provider client, those waiting for a rate-limit slot or a back-off stop now and a request already written finishes (within {Timeout}); then outcomes are settled and every unsent claim is released",
            runId, sender.InFlight, _account.Timeout));
        try
        {
            return await RunPhasesAsync(runId, now, summary, rules, sender, leaseLost.Token, stopToken, linked.Token);
        }
        catch (Exception ex) when (leaseLost.IsCancellationRequested && ex is OperationCanceledException || ex is LeaseLostException)
        {
            return LeaseLost(summary, ex);
        }
        catch (OperationCanceledException) when (stopToken.IsCancellationRequested)
        {
            return await AbortAsync(runId, summary, "the run was stopped before this submission was sent", "stopped at a safe point; unsent claims released");
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // Database or other infrastructure failure: abort, release what was never sent, reject nothing.
            _logger.LogError(ex, "The run aborted");
            return await AbortAsync(runId, summary, "the run aborted before this submission was sent", $"aborted: {ex.Message}");
        }
        finally
        {
            if (_options.UseRunGuard)
            {
                await TryAsync(() => _store.ReleaseJobLockAsync(_job.Name, runId, CancellationToken.None));
            }
        }
    }

    private RunSummary NewSummary(DateTimeOffset scheduledAt, DateTimeOffset now) => new()
    {
        Job = _job.Name, ProviderAccount = _job.Provider, Provider = _account.Module.Type,
        DryRun = _options.DryRun, ScheduledAt = scheduledAt, Cutoff = UtcText.WholeSeconds(scheduledAt - _job.SettleDelay), StartedAt = now,
        Currency = _account.Currency, CapWarnAt = _job.CapWarnAt, UsageCap = _account.UsageCap,
    };

    /// <summary>Another run declared this one dead and took its work over: stop without touching anything more.</summary>
    private RunSummary LeaseLost(RunSummary summary, Exception ex)
    {
        _logger.LogError("The run lost its lease to a recovering run ({Reason}); stopping without touching anything more",
            ex is LeaseLostException ? ex.Message : "its lease could not be renewed");
        summary.Outcome = RunOutcome.Dead;
        summary.ExitCode = ExitCodes.Aborted;
        summary.Message = "lease lost: another run recovered this run's work";
        return summary;
    }

    /// <summary>A stop or a failure mid-run: settle what the provider confirmed, release what was never sent, finish aborted.</summary>
    private async Task<RunSummary> AbortAsync(long runId, RunSummary summary, string unsentReason, string message)
    {
        // What the provider confirmed is settled now; were this to fail, the next run's recovery would.
        await TryAsync(() => SettleConfirmedAsync(runId));

        await ReleaseUnsentAsync(runId, summary, unsentReason);
        return await FinishAsync(summary, RunOutcome.Aborted, ExitCodes.Aborted, message);
    }

    /// <summary>
    /// The run's phases in order, each timed for the run's timings and announced to a person watching `run`:
    /// recover → claim and prepare (checking each row it claims) → check the rows left pending → send → settle → finish.
    /// </summary>
    private async Task<RunSummary> RunPhasesAsync(long runId, DateTimeOffset now, RunSummary summary, ValidationRules rules, SubmissionSender sender,
        CancellationToken leaseLost, CancellationToken stopToken, CancellationToken token)
    {
        var usageIdPrefix = await _store.GetUsageIdPrefixAsync(now, token);
        var toSend = new List<(LedgerSubmission Submission, bool ResolveFirst)>();
        await TimedAsync(RunPhase.Recover, () => RecoverAsync(runId, summary, toSend, token));

        var progress = _options.Progress;
        progress?.Phase("claiming, checking and preparing groups");
        await TimedAsync(RunPhase.ClaimPrepare, () => PrepareAsync(runId, summary, rules, usageIdPrefix, toSend, token));
        progress?.Done($"{summary.Groups} groups prepared, {toSend.Count} submissions to send");

        progress?.Phase("checking the rows left pending");
        await TimedAsync(RunPhase.Validate, () => ValidateRestAsync(runId, summary, rules, token));
        progress?.Done($"{summary.RowsValidated} pending rows validated, {summary.RowsRejectedByValidation} rejected, {summary.RowsHeldRequeued} re-queued rows held");

        progress?.Phase("sending submissions", toSend.Count);
        await TimedAsync(RunPhase.SendWall, () => sender.SendAllAsync(toSend, token));
        progress?.Done($"sent: {summary.Confirmed} confirmed, {summary.Rejected} rejected, {summary.Held} held, {summary.Released} released, {summary.Unresolved} unresolved");

        await TimedAsync(RunPhase.SettlePass, () => SettleConfirmedAsync(runId));
        return await CompleteAsync(summary, sender, leaseLost.IsCancellationRequested, stopToken.IsCancellationRequested);
    }

    private async Task TimedAsync(RunPhase phase, Func<Task> action)
    {
        using (RunTimings.Measure(_options.Timings, phase))
        {
            await action();
        }
    }

    /// <summary>The job is running elsewhere: one line naming the holder, outcome 'skipped', no report files.</summary>
    private async Task<RunSummary> SkipAsync(RunSummary summary, DateTimeOffset now)
    {
        var holderId = await _store.JobLockHolderAsync(_job.Name, CancellationToken.None);
        var holder = holderId is { } id ? (await _store.RunningRunsAsync(CancellationToken.None)).FirstOrDefault(r => r.RunId == id) : null;
        var inv = System.Globalization.CultureInfo.InvariantCulture;
        var who = holder is not null
            ? string.Create(inv, $"run {holder.RunId} on {holder.Host} (pid {holder.ProcessId}) since {UtcText.Format(holder.StartedAt)}, lease until {UtcText.Format(holder.LeaseUntil)}")
            : holderId is { } known ? string.Create(inv, $"run {known}") : "another run";
        summary.Outcome = RunOutcome.Skipped;
        summary.ExitCode = ExitCodes.AlreadyRunning;
        summary.Message = $"job {_job.Name} is already running: {who}; skipped";
        summary.FinishedAt = _time.GetUtcNow();
        await TryAsync(() => _store.FinishRunAsync(summary.RunId, summary.Outcome, summary.ExitCode, summary.Message,
            System.Text.Json.JsonSerializer.Serialize(summary, RunSummaryJson.Options), summary.FinishedAt.Value, CancellationToken.None));
        _logger.LogWarning("Run {RunId} of {Job} skipped (exit 4): {Message}", summary.RunId, _job.Name, summary.Message);
        return summary;
    }

    private async Task RecoverAsync(long runId, RunSummary summary, List<(LedgerSubmission, bool)> toSend, CancellationToken cancellationToken)
    {
        var adopted = await _store.AdoptOrphansAsync(_job.Provider, runId, _time.GetUtcNow(), cancellationToken);
        summary.Recovered = adopted.Count;
        if (adopted.Count > 0)
        {
            // One line for the terminal; the per-submission lines go to the log file.
            _logger.LogWarning("Recovering {Count} submissions left by runs that died ({States})", adopted.Count,
                string.Join(", ", adopted.GroupBy(a => SubmissionStatusText.ToText(a.Status)).OrderBy(g => g.Key, StringComparer.Ordinal).Select(g => $"{g.Count()} {g.Key}")));
        }

        foreach (var submission in adopted)
        {
            using var submissionScope = _logger.BeginScope(new Dictionary<string, object> { ["SubmissionId"] = submission.Id });
            _logger.LogWarning("Recovering submission {Submission} left {Status} by run {DeadRunId}, prepared by run {CreatedRunId}", submission.Id, SubmissionStatusText.ToText(submission.Status), submission.AdoptedFrom, submission.CreatedRunId);
            switch (submission.Status)
            {
                case SubmissionStatus.Preparing:
                    // Claimed part-way and never sent: give the rows back.
                    await RecordAndSettleAsync(runId, submission.Id, SubmissionStatus.Void, "the run preparing it died before it was complete", "voided", cancellationToken);
                    summary.Voided++;
                    break;
                case SubmissionStatus.Prepared:
                    toSend.Add((submission, false));
                    break;
                case SubmissionStatus.Sent:
                    // Outcome unknown: a provider that takes our usage id gets the same request again; one without
                    // idempotency is listed and matched before any new request.
                    toSend.Add((submission, _account.Module.Capabilities.UnknownOutcome == UnknownOutcomeResolution.ListAndMatch));
                    break;
                default:
                    // The outcome is in the ledger; only the rows were not all updated. It is recorded again as this
                    // run's own event (the dead run wrote no report), so this run's report shows it in full: the
                    // provider's ids and echo, in its totals and control check, finished for the run that sent it.
                    var reason = string.Create(System.Globalization.CultureInfo.InvariantCulture, $"finished for run {submission.CreatedRunId}")
                        + (submission.Status != SubmissionStatus.Confirmed && submission.StatusReason is { } why ? ": " + why : "");
                    await RecordAndSettleAsync(runId, submission.Id, submission.Status, reason,
                        submission.Status == SubmissionStatus.Void ? "voided" : SubmissionStatusText.ToText(submission.Status), cancellationToken,
                        submission.ProviderUsageId, submission.ProviderReceiptId, submission.EchoedTotal);
                    summary.Tally(submission.Status, submission.RowCount, submission.Total, submission.EchoedTotal);
                    break;
            }
        }
    }

    /// <summary>
    /// Each pending row is read and checked once: the claim checks the rows a group reaches; this checks the rest (no
    /// group key, malformed, after the cutoff), rejecting what can never be billed, then holds re-queued billed rows.
    /// </summary>
    private async Task ValidateRestAsync(long runId, RunSummary summary, ValidationRules rules, CancellationToken cancellationToken)
    {
        var rejections = new List<RowRejection>();
        await foreach (var row in _store.ReadPendingRowsAsync(_table, cancellationToken))
        {
            summary.RowsValidated++;
            if (_account.Module.CheckRow(row, rules) is { } reason)
            {
                rejections.Add(new RowRejection(row.Id, row.SourceKey, reason));
            }
        }

        summary.RowsRejectedByValidation += await _store.RejectRowsAsync(_table, runId, rejections, _time.GetUtcNow(), cancellationToken);
        summary.RowsHeldRequeued = await _store.HoldRequeuedRowsAsync(_table, runId, _time.GetUtcNow(), cancellationToken);
        if (summary.RowsRejectedByValidation > 0)
        {
            _logger.LogWarning("Rejected {Count} rows that can never be billed (reasons in the report)", summary.RowsRejectedByValidation);
        }
    }

    private async Task PrepareAsync(long runId, RunSummary summary, ValidationRules rules, string usageIdPrefix,
        List<(LedgerSubmission, bool)> toSend, CancellationToken cancellationToken)
    {
        var decider = new GroupDecider(_job, _account);
        var groups = await _store.ListPendingGroupsAsync(_table, summary.Cutoff, _job.Bucket, cancellationToken);
        if (groups.Count == 0)
        {
            return;
        }

        var template = new ClaimRequest(runId, _job.Name, _job.Provider, _table, groups[0], summary.Cutoff, _job.BatchSize, rules, usageIdPrefix, _time.GetUtcNow());
        var prepared = new HashSet<long>();
        foreach (var result in await _store.ClaimGroupsAsync(template, groups, _job.Bucket, decider.Decide, cancellationToken))
        {
            summary.RowsValidated += result.Claimed.RowCount;
            if (await PreparedAsync(runId, summary, result, cancellationToken))
            {
                prepared.Add(result.Claimed.SubmissionId);
            }
        }

        // What is sent is what the ledger holds: the prepared submissions are read back in one query, in id order
        // (the groups' order), not one by one.
        if (prepared.Count > 0)
        {
            toSend.AddRange((await _store.SubmissionsOfRunAsync(runId, cancellationToken)).Where(s => prepared.Contains(s.Id)).Select(s => (s, false)));
        }

        // Rows the claim rejected (with their reasons and row exceptions) were checked too.
        summary.RowsRejectedByValidation += template.Rejections.Count;
        summary.RowsValidated += template.Rejections.Count;
    }

    /// <summary>The rows of what the provider confirmed follow their ledger rows, once for the whole run.</summary>
    private async Task SettleConfirmedAsync(long runId)
    {
        await _store.SettleConfirmedAsync(_table, runId, _job.BatchSize, _time.GetUtcNow(), CancellationToken.None);
    }

    /// <summary>What follows a group's claim: true when it is to be sent; otherwise it is settled at once (zero, rejected, held, void).</summary>
    private async Task<bool> PreparedAsync(long runId, RunSummary summary, (ClaimedGroup Claimed, GroupDecision Decision) result, CancellationToken cancellationToken)
    {
        summary.Groups++;
        if (result.Decision.Status == SubmissionStatus.Prepared)
        {
            return true;
        }

        // zero, rejected, held or void: final without any provider call.
        await _store.SettleRowsAsync(result.Claimed.SubmissionId, runId, _job.BatchSize, _time.GetUtcNow(), cancellationToken);
        summary.Tally(result.Decision.Status, result.Claimed.RowCount, result.Claimed.Total, null, result.Claimed.Target.ValueField);
        return false;
    }

    private async Task<RunSummary> CompleteAsync(RunSummary summary, SubmissionSender sender, bool leaseLost, bool stopped)
    {
        if (leaseLost)
        {
            throw new OperationCanceledException();
        }

        if (sender.FatalMessage is { } fatal)
        {
            await ReleaseUnsentAsync(summary.RunId, summary, "the run aborted on a fatal provider error before this submission was sent");
            return await FinishAsync(summary, RunOutcome.Aborted, ExitCodes.Aborted, fatal);
        }

        if (stopped)
        {
            await ReleaseUnsentAsync(summary.RunId, summary, "the run was stopped before this submission was sent");
            return await FinishAsync(summary, RunOutcome.Aborted, ExitCodes.Aborted, "stopped at a safe point; unsent claims released");
        }

        // Anything this run prepared but could not send (its lease could not be stretched over a request) goes back
        // to pending now: a finished run leaves none of its rows claimed.
        await ReleaseUnsentAsync(summary.RunId, summary, "the run could not send this submission within its lease");
        summary.SilentCustomerRuns = _job.SilentCustomerRuns;
        await Freshness.CheckAsync(_store, _job, _table, _time, _logger, summary);
        return summary.NeedsAttention
            ? await FinishAsync(summary, RunOutcome.Attention, ExitCodes.Attention, summary.Stale)
            : await FinishAsync(summary, RunOutcome.Succeeded, ExitCodes.Ok, null);
    }

    /// <summary>Submissions this run owns that were never sent go back to pending (void), so nothing stays claimed.</summary>
    private async Task ReleaseUnsentAsync(long runId, RunSummary summary, string reason)
    {
        await TryAsync(async () =>
        {
            foreach (var submission in await _store.SubmissionsOfRunAsync(runId, CancellationToken.None))
            {
                if (submission.OwnerRunId == runId && submission.SettledAt is null
                    && submission.Status is SubmissionStatus.Prepared or SubmissionStatus.Preparing)
                {
                    await RecordAndSettleAsync(runId, submission.Id, SubmissionStatus.Void, reason, "voided", CancellationToken.None);
                    summary.Voided++;
                }
            }
        });
    }

    private async Task RecordAndSettleAsync(long runId, long submissionId, SubmissionStatus status, string reason, string eventName, CancellationToken cancellationToken,
        string? usageId = null, string? receiptId = null, decimal? echoed = null)
    {
        var now = _time.GetUtcNow();
        if (await _store.RecordOutcomeAsync(new OutcomeRecord(submissionId, runId, status, reason, eventName, now, usageId, receiptId, echoed), cancellationToken))
        {
            await _store.SettleRowsAsync(submissionId, runId, _job.BatchSize, now, cancellationToken);
        }
    }

    private async Task<RunSummary> FinishAsync(RunSummary summary, RunOutcome outcome, int exitCode, string? message)
    {
        summary.Outcome = outcome;
        summary.ExitCode = exitCode;
        summary.Message = message;
        // Whatever this run and runs that died before their report finished is this run's report's to carry.
        await TryAsync(async () =>
        {
            summary.Carried = await _store.CarryUnreportedAsync(_job.Provider, summary.RunId, _time.GetUtcNow(), CancellationToken.None);
            if (summary.Carried > 0)
            {
                _logger.LogWarning("This run's report carries {Count} submissions finished by runs that ended without writing a report of them", summary.Carried);
            }
        });
        summary.FinishedAt = _time.GetUtcNow();
        await TryAsync(() => _store.FinishRunAsync(summary.RunId, outcome, exitCode, message,
            System.Text.Json.JsonSerializer.Serialize(summary, RunSummaryJson.Options), summary.FinishedAt.Value, CancellationToken.None));
        // Job, RunId and Provider come from the run's log scope (kept out of the text so they stay properties).
        _logger.LogInformation(
            "Run finished {Outcome} (exit {ExitCode}) in {Duration}: {Groups} groups, {Confirmed} confirmed, {Zero} zero, {Rejected} rejected, {Held} held, {Released} released, {Unresolved} unresolved; {RowsBilled} rows billed ({Billed}), provider echoed {Echoed}; {RowsRejected} rows rejected by validation; report {Report}; {Message}",
            RunOutcomeText.ToText(outcome), exitCode, DurationText.Format(summary.FinishedAt.Value - summary.StartedAt), summary.Groups, summary.Confirmed, summary.Zero, summary.Rejected, summary.Held,
            summary.Released, summary.Unresolved, summary.RowsBilled, ByKind(summary.BilledByKind, summary.Currency), ByKind(summary.EchoedByKind, summary.Currency),
            summary.RowsRejectedByValidation, ReportFiles(summary), message ?? "");
        return summary;
    }

    /// <summary>Each kind of value with its unit; money and units are never added together.</summary>
    private static string ByKind(IReadOnlyDictionary<string, decimal> byKind, string? currency) =>
        byKind.Count == 0 ? "nothing" : string.Join(", ", byKind.Select(k => $"{k.Key} {Reports.ReportNumber.Format(k.Value, k.Key)} {Reports.ReportNumber.Unit(k.Key, currency)}"));

    private string ReportFiles(RunSummary summary) =>
        _options.ReportsDirectory is { } directory
            ? string.Join(", ", Reports.ReportPaths.For(directory, summary.StartedAt, summary.Job, summary.RunId).All)
            : "none";

    private async Task TryAsync(Func<Task> action)
    {
        try
        {
            await action();
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // Best effort on the way out: whatever is left is finished by the next run's recovery.
            _logger.LogError(ex, "Cleanup step failed; the next run's recovery finishes it");
        }
    }
}
