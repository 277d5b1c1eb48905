using UsageBatch.Usage;
using System.Runtime.CompilerServices;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using UsageBatch.Configuration;
using UsageBatch.Providers.Http;
using UsageBatch.Providers.Pacing;

namespace UsageBatch.Providers.Chargebee;

/// <summary>
/// Chargebee v2 metered usages. Our usage id is deterministic, so an unknown outcome is settled by sending the
/// same id again: it either lands, replays, or answers duplicate_entry, after which a retrieve tells whether the
/// stored usage is ours.
/// </summary>
internal sealed class ChargebeeProvider : IUsageProvider, IDisposable
{
    /// <summary>A runaway pager (an offset that never ends) must not loop forever.</summary>
    private const int MaxPages = 100_000;

    private readonly ProviderCaller _caller;
    private readonly ProviderAccountOptions _options;
    private readonly ILogger _logger;
    private readonly Backoff _backoff;
    private readonly string _account;
    private readonly ChargebeeTermReader _terms;

    public ChargebeeProvider(string account, ProviderCaller caller, ProviderAccountOptions options, Backoff backoff, ILogger logger)
    {
        _account = account;
        _terms = new ChargebeeTermReader(caller, options);
        _caller = caller;
        _options = options;
        _backoff = backoff;
        _logger = logger;
    }

    /// <summary>The account's pacer (tests observe the account-wide pause through it).</summary>
    internal ProviderPacer Pacer => _caller.Pacer;

    public async Task<ProviderOutcome> SubmitAsync(ProviderSubmission submission, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(submission);
        if (Guard(submission) is { } refused)
        {
            Log(submission, refused);
            return refused;
        }

        var attempts = 0;
        var uncertain = false;
        while (true)
        {
            var call = await _caller.SendAsync(
                () => ChargebeeRequests.Create(submission, _options), submission.SubmissionId, _options.MaxAttempts - attempts, cancellationToken,
                letRequestFinish: true);
            attempts += call.Attempts;
            var outcome = call.Failure ?? ParseCreated(call.Reply);
            if (ChargebeeResponseClassifier.IsDuplicateId(outcome))
            {
                // Our id exists: an earlier attempt (this run's or a dead run's) landed. It counts only if it matches.
                outcome = await RetrieveAsync(submission, cancellationToken, letRequestFinish: true) switch
                {
                    { Kind: OutcomeKind.NotFound } => ProviderOutcome.Unknown("duplicate_entry on our usage id, yet retrieving it found nothing"),
                    // Our id exists: a stop before the look-up leaves it unknown, never "not sent".
                    { Kind: OutcomeKind.Stopped } stopped => ProviderOutcome.Unknown($"duplicate_entry on our usage id; {stopped.Message} to retrieve it"),
                    var retrieved => retrieved,
                };
            }
            else if (uncertain && outcome.Kind is OutcomeKind.DateClash or OutcomeKind.Permanent)
            {
                // After an unknown attempt the refusal may be about our own earlier usage (Chargebee's check order
                // is undocumented: a clash with ourselves could be reported before the duplicate id). Ask by id.
                outcome = await RetrieveAsync(submission, cancellationToken, letRequestFinish: true) switch
                {
                    { Kind: OutcomeKind.Confirmed or OutcomeKind.Conflict } retrieved => retrieved,
                    { Kind: OutcomeKind.Stopped } stopped => ProviderOutcome.Unknown($"refused after an unknown attempt; {stopped.Message} to retrieve our id"),
                    _ => outcome,
                };
            }

            if (outcome.Kind == OutcomeKind.Unknown && attempts < _options.MaxAttempts)
            {
                uncertain = true;
                var delay = _backoff.Delay(attempts);
                _logger.LogWarning(
                    "{ProviderName} submission {Submission}: outcome unknown ({Status}) on attempt {Attempt}; sending the same usage id again in {Delay}",
                    "chargebee", submission.SubmissionId, outcome.HttpStatus, attempts, Usage.DurationText.Format(delay));
                try
                {
                    await Task.Delay(delay, _caller.Time, cancellationToken);
                }
                catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
                {
                    // A safe point (nothing in flight), but the earlier attempt may have landed: it stays unknown
                    // and the next run sends the same id again.
                    outcome = ProviderOutcomes.Stopped("stopped while backing off before sending the same usage id again");
                }

                if (outcome.Kind != OutcomeKind.Stopped)
                {
                    continue;
                }
            }

            if (uncertain && outcome.Kind is OutcomeKind.NotSent or OutcomeKind.Throttled or OutcomeKind.Stopped)
            {
                // The last attempts never arrived, but an earlier one may have been recorded: releasing the rows as
                // "not sent" could bill them again under a new ledger id. The run must resolve this one by id.
                outcome = ProviderOutcome.Unknown($"an earlier attempt's outcome is unknown and the last attempt was not answered: {outcome.Message}");
            }

            outcome = outcome with { Attempts = Math.Max(attempts, 1) };
            Log(submission, outcome);
            return outcome;
        }
    }

    public async Task<ProviderOutcome> ResolveAsync(
        ProviderSubmission submission,
        DateTimeOffset attemptedAt,
        IReadOnlySet<string> ownedUsageIds,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(submission);
        if (submission.UsageId is null)
        {
            throw new ArgumentException("a Chargebee submission needs its usage id", nameof(submission));
        }

        // Our id is the key: attemptedAt and owned ids (Whop's heuristics) are not needed.
        var outcome = await RetrieveAsync(submission, cancellationToken);
        Log(submission, outcome);
        return outcome;
    }

    public async Task<TermCheck> CheckTermAsync(ProviderSubmission submission, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(submission);
        var check = await _terms.CheckAsync(submission, cancellationToken);
        _logger.Log(check.Standing == TermStanding.CurrentTerm && check.Failure is null ? LogLevel.Debug : LogLevel.Warning,
            "{Account} submission {Submission}: {Standing}: {Detail}", _account, submission.SubmissionId, check.Failure is null ? check.Standing : "not checked", check.Detail);
        return check;
    }

    public async Task<ProviderInvoice?> GetInvoiceAsync(string invoiceId, CancellationToken cancellationToken)
    {
        var call = await _caller.SendAsync(() => ChargebeeRequests.Invoice(invoiceId, _options), null, _options.MaxAttempts, cancellationToken);
        if (call.Failure is { Kind: OutcomeKind.Permanent, HttpStatus: 404 })
        {
            return null;
        }

        if (call.Failure is not null)
        {
            throw new ProviderListException(call.Failure);
        }

        return ChargebeeInvoiceBody.Parse(call.Reply.Body)
            ?? throw new ProviderListException(ProviderOutcome.Unknown($"HTTP {call.Reply.Status}: invoice {invoiceId} could not be read", call.Reply.Status));
    }

    public async IAsyncEnumerable<ProviderUsage> ListAsync(UsageListQuery query, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        string? offset = null;
        for (var page = 0; page < MaxPages; page++)
        {
            var call = await _caller.SendAsync(() => ChargebeeRequests.List(query, offset, _options), null, _options.MaxAttempts, cancellationToken);
            if (call.Failure is not null)
            {
                throw new ProviderListException(call.Failure);
            }

            var (usages, next) = ParseList(call.Reply);
            foreach (var usage in usages)
            {
                yield return usage.ToProviderUsage();
            }

            if (string.IsNullOrEmpty(next))
            {
                yield break;
            }

            offset = next;
        }
    }

    private ProviderOutcome? Guard(ProviderSubmission submission)
    {
        if (submission.UsageId is null || submission.UsageDate is null)
        {
            throw new ArgumentException("a Chargebee submission needs its usage id and usage date", nameof(submission));
        }

        if (submission.Total <= 0)
        {
            return ProviderOutcomes.Refused("not_positive", $"quantity {DecimalText.Format(submission.Total)} is not positive", "quantity");
        }

        // The run rejects such rows earlier; this guard keeps a rounding provider from silently billing less (I5).
        var places = _options.EffectiveQuantityDecimals;
        return DecimalText.Places(submission.Total) > places
            ? ProviderOutcomes.Refused("too_many_decimals", $"quantity {DecimalText.Format(submission.Total)} has more than the {places} decimal places this site takes; not sent", "quantity")
            : null;
    }

    private static ProviderOutcome ParseCreated(ProviderReply reply) =>
        ChargebeeUsage.FromBody(reply.Body) is { } usage
            ? ProviderOutcome.Confirmed(usage.Id, usage.InvoiceId, usage.Quantity, usage.UsageDate, reply.Status)
            : ProviderOutcome.Unknown($"HTTP {reply.Status} without a usage id", reply.Status);

    /// <summary>Retrieve by our id: Confirmed when every field matches, Conflict naming the field that does not, NotFound.</summary>
    private async Task<ProviderOutcome> RetrieveAsync(ProviderSubmission submission, CancellationToken cancellationToken, bool letRequestFinish = false)
    {
        var usageId = submission.UsageId!;
        var call = await _caller.SendAsync(
            () => ChargebeeRequests.Retrieve(submission.Target.CustomerId, usageId, _options), submission.SubmissionId, _options.MaxAttempts, cancellationToken,
            letRequestFinish);
        if (call.Failure is { Kind: OutcomeKind.Permanent, HttpStatus: 404 })
        {
            return ProviderOutcome.NotFound($"usage {usageId} does not exist: {call.Failure.Message}");
        }

        if (call.Failure is not null)
        {
            return call.Failure;
        }

        if (ChargebeeUsage.FromBody(call.Reply.Body) is not { } usage)
        {
            return ProviderOutcome.Unknown($"HTTP {call.Reply.Status}: the retrieved usage could not be read", call.Reply.Status);
        }

        return usage.Difference(submission) is { } difference
            ? ProviderOutcomes.Conflict(usage.Id, $"usage {usage.Id} exists with different data: {difference}")
            : ProviderOutcome.Confirmed(usage.Id, usage.InvoiceId, usage.Quantity, usage.UsageDate, call.Reply.Status);
    }

    private static (IReadOnlyList<ChargebeeUsage> Usages, string? NextOffset) ParseList(ProviderReply reply)
    {
        using var doc = JsonRead.TryParseObject(reply.Body);
        if (doc is null || !doc.RootElement.TryGetProperty("list", out var list) || list.ValueKind != JsonValueKind.Array)
        {
            throw new ProviderListException(ProviderOutcome.Unknown($"HTTP {reply.Status}: the usage list could not be read", reply.Status));
        }

        var usages = list.EnumerateArray().Select(ChargebeeUsage.FromWrapper).OfType<ChargebeeUsage>().ToList();
        return (usages, JsonRead.String(doc.RootElement, "next_offset"));
    }

    private void Log(ProviderSubmission submission, ProviderOutcome outcome)
    {
        var level = outcome.Kind switch
        {
            OutcomeKind.Confirmed or OutcomeKind.NotFound => LogLevel.Information,
            OutcomeKind.Fatal => LogLevel.Error,
            _ => LogLevel.Warning,
        };
        _logger.Log(
            level,
            "{Account} submission {Submission}: {Outcome} ({Status} {Code}) usage {UsageId} after {Attempts} attempt(s): {Message}",
            _account, submission.SubmissionId, outcome.Kind, outcome.HttpStatus, outcome.ProviderCode, outcome.UsageId, outcome.Attempts, outcome.Message);
    }

    public void Dispose() => _caller.Dispose();
}
