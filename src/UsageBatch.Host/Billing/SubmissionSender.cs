using System.Globalization;
using Microsoft.Extensions.Logging;
using UsageBatch.Configuration;
using UsageBatch.Providers;
using UsageBatch.Storage;
using UsageBatch.Usage;

namespace UsageBatch.Billing;

/// <summary>
/// The send and settle phases: for each prepared submission, mark it sent, call the provider, record the outcome on
/// the ledger first, then settle its rows. A bounded number are in flight; pacing and throttling live in the client.
/// Once a request is under way it is never abandoned: it finishes and is settled even when the run is stopping.
/// </summary>
internal sealed partial class SubmissionSender
{
    private readonly IBillingStore _store;
    private readonly IUsageProvider _provider;
    private readonly JobOptions _job;
    private readonly ProviderAccountOptions _account;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly long _runId;
    private readonly RunSummary _summary;
    private readonly CancellationToken _leaseLost;
    private readonly PermanentErrorProbation _probation;
    private readonly CancellationTokenSource _fatal = new();
    private readonly RunTimings? _timings;

    public SubmissionSender(IBillingStore store, IUsageProvider provider, JobOptions job, ProviderAccountOptions account, TimeProvider time,
        ILogger logger, long runId, RunSummary summary, CancellationToken leaseLost, RunTimings? timings = null)
    {
        _timings = timings;
        _store = store;
        _provider = provider;
        _job = job;
        _account = account;
        _time = time;
        _logger = logger;
        _runId = runId;
        _summary = summary;
        _leaseLost = leaseLost;
        _probation = new PermanentErrorProbation(account.AbortAfterSamePermanentErrors);
        _termGate = new TermGate(store, provider, job, account, runId, time, logger);
    }

    private readonly TermGate _termGate;

    /// <summary>Slack between the end of a request's timeout and the end of the lease: 10 s, less for short test leases.</summary>
    private TimeSpan LeaseMargin => _job.LeaseMargin;

    /// <summary>
    /// Submissions worked on at once: more than the requests in flight (the provider client's pacer allows only
    /// maxInFlight of those), so that while some wait for their request, others' ledger writes queue up and share
    /// a commit (<see cref="Storage.GroupCommit"/>). A submission waiting for a request slot is already marked sent,
    /// as one waiting for the rate limit always was: a stop ends the wait and voids it, nothing having been sent.
    /// </summary>
    private int Workers => Math.Clamp(_account.MaxInFlight * 4, 1, 64);

    /// <summary>Told after each submission is done (for a person watching `run`).</summary>
    public IRunProgress? Progress { get; init; }

    private int _inFlight;

    /// <summary>Requests under way right now (what a stop waits for).</summary>
    public int InFlight => Volatile.Read(ref _inFlight);

    /// <summary>Set when a fatal provider error aborted the sends (auth, configuration, or the same permanent error on every first send).</summary>
    public string? FatalMessage { get; private set; }

    public async Task SendAllAsync(IReadOnlyList<(LedgerSubmission Submission, bool ResolveFirst)> work, CancellationToken stopToken)
    {
        using var stopOrFatal = CancellationTokenSource.CreateLinkedTokenSource(stopToken, _fatal.Token);
        try
        {
            await Parallel.ForEachAsync(work, new ParallelOptions { MaxDegreeOfParallelism = Workers, CancellationToken = stopOrFatal.Token },
                async (item, token) =>
                {
                    await SendOneAsync(item.Submission, item.ResolveFirst, token);
                    Progress?.Step();
                });
        }
        catch (OperationCanceledException) when (_fatal.IsCancellationRequested && !stopToken.IsCancellationRequested)
        {
            // A fatal error stopped new sends; the run releases what was never sent.
        }
        finally
        {
            // Permanent errors held back while deciding whether they meant "the configuration is wrong" are now
            // final, also when the run is stopping: their answers are in, so they are recorded before it exits.
            foreach (var (submission, outcome) in _probation.Drain())
            {
                await FinishAsync(submission, SubmissionStatus.Rejected, outcome, "rejected", RejectionReason(submission, outcome));
            }
        }
    }

    private async Task OnPermanentAsync(LedgerSubmission submission, ProviderOutcome outcome)
    {
        var verdict = _probation.Add(submission, outcome);
        if (verdict.Fatal)
        {
            // The first sends all failed the same way: the configuration is wrong, not the data. Reject nothing.
            foreach (var (held, _) in verdict.Released)
            {
                await FinishAsync(held, SubmissionStatus.Void, outcome, "voided", $"released: the run aborted because its first sends all failed with {outcome.ProviderCode ?? outcome.Message}");
            }

            await TriggerFatalAsync($"the first {_account.AbortAfterSamePermanentErrors} submissions all failed with the same error ({outcome}); check the configuration (ids, items, site)");
            return;
        }

        foreach (var (final, finalOutcome) in verdict.Released)
        {
            await FinishAsync(final, SubmissionStatus.Rejected, finalOutcome, "rejected", RejectionReason(final, finalOutcome));
        }
    }

    /// <summary>
    /// The provider's words alone ("HTTP 404: Not found") do not say which field it refused: name the field it
    /// reported (Chargebee's param) and the customer and item fields that were sent, so a DBA knows what to fix.
    /// </summary>
    private static string RejectionReason(LedgerSubmission submission, ProviderOutcome outcome) =>
        $"{outcome.Message}{(outcome.Param is null ? "" : $" (field {outcome.Param})")}; sent {submission.Target}";

    /// <summary>A refused key names where the key came from: the operator fixes the variable, not jobs.json.</summary>
    private string FatalReason(ProviderOutcome outcome) => outcome.HttpStatus is 401 or 403
        ? $"{outcome.Message} (HTTP {outcome.HttpStatus}: check the API key in environment variable {_account.ApiKeyEnv})"
        : outcome.Message;

    private async Task OnFatalAsync(LedgerSubmission submission, string message)
    {
        // A fatal answer (401/403, wrong URL or site) means nothing was recorded: the rows go back to pending.
        await FinishAsync(submission, SubmissionStatus.Void, ProviderOutcome.Fatal(message), "voided", $"released: fatal provider error ({message})");
        await TriggerFatalAsync(message);
    }

    private async Task TriggerFatalAsync(string message)
    {
        FatalMessage ??= $"aborted: {message}";
        _logger.LogError("Fatal provider error, aborting the run: {Message}", message);
        await _fatal.CancelAsync();
    }

    private async Task FinishAsync(LedgerSubmission submission, SubmissionStatus status, ProviderOutcome outcome, string eventName, string? reason = null)
    {
        using var split = RunTimings.Measure(_timings, RunPhase.Settle);
        if (status == SubmissionStatus.Confirmed && outcome.EchoedTotal is { } echo
            && (DecimalText.Scale(echo) > DecimalText.MaxScale || Math.Abs(echo) >= Storage.Grouping.TotalLimit))
        {
            // The ledger keeps ten decimals: storing this echo would round it without a word. The usage exists at the
            // provider, so the rows are held for a person, with the echo in full in the reason.
            reason = $"confirmed at the provider as {outcome.UsageId}, but it echoed {DecimalText.Format(echo)}, more than the ledger holds exactly (10 decimals, 18 integer digits); held for review: check the usage, then `usagebatch requeue --submission {submission.Id}`";
            _logger.LogError("Submission {Submission}: {Reason}", submission.Id, reason);
            status = SubmissionStatus.Held;
            eventName = SubmissionStatusText.ToText(SubmissionStatus.Held);
            outcome = outcome with { EchoedTotal = null };
        }

        var now = _time.GetUtcNow();
        var record = new OutcomeRecord(submission.Id, _runId, status, reason ?? (status == SubmissionStatus.Confirmed ? null : outcome.Message), eventName, now,
            outcome.UsageId, outcome.ReceiptId, outcome.EchoedTotal, outcome.HttpStatus, outcome.ProviderCode);
        // Ledger first (one short transaction), then the rows in batches: a crash in between is finished by recovery.
        if (!await _store.RecordOutcomeAsync(record, CancellationToken.None))
        {
            _logger.LogError("Submission {Submission} outcome {Status} not recorded: no longer owned by this run", submission.Id, SubmissionStatusText.ToText(status));
            return;
        }

        // Confirmed rows are settled for the whole run after the sends (SettleConfirmedAsync): the ledger already
        // holds the outcome, so a crash before that is finished by the next run's recovery.
        if (status != SubmissionStatus.Confirmed)
        {
            using var db = RunTimings.MeasureDb(_timings, RunPhase.SettleRows);
            await _store.SettleRowsAsync(submission.Id, _runId, _job.BatchSize, _time.GetUtcNow(), CancellationToken.None);
        }

        _summary.Tally(status, submission.RowCount, submission.Total, outcome.EchoedTotal, submission.Target.ValueField);
        if (status == SubmissionStatus.Confirmed && outcome.EchoedTotal is { } echoed && echoed != submission.Total)
        {
            _logger.LogError("Submission {Submission}: provider echoed {Echoed} but the rows total {Total}", submission.Id, echoed, submission.Total);
        }
    }

    private static ProviderSubmission ToProviderSubmission(LedgerSubmission submission) =>
        new(submission.Id, submission.Target, submission.Total, submission.UsageId, submission.UsageDate, SubmissionNote.For(submission));
}
