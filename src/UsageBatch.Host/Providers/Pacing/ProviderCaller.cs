using Microsoft.Extensions.Logging;
using RestSharp;
using UsageBatch.Providers.Http;
using UsageBatch.Usage;

namespace UsageBatch.Providers.Pacing;

/// <summary>
/// Sends one logical request for an account: paced, throttled answers retried after pausing the whole account,
/// not-sent failures retried with backoff. The only place retries and waits happen for a single request (the
/// Chargebee re-POST after an unknown outcome is a decision of its provider, not of the transport).
/// </summary>
internal sealed class ProviderCaller : IDisposable
{
    /// <summary>
    /// A provider that throttles this many times in a row is not going to let the request through soon; the
    /// outcome goes back to the run as Throttled (nothing was recorded) instead of waiting forever.
    /// </summary>
    internal const int MaxConsecutiveThrottles = 10;

    private readonly string _provider;
    private readonly RestClient _client;
    private readonly ProviderPacer _pacer;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Backoff _backoff;
    private readonly SecretRedactor _redactor;
    private readonly Func<ProviderReply, DateTimeOffset, ProviderOutcome?> _classify;

    public ProviderCaller(
        string provider,
        RestClient client,
        ProviderPacer pacer,
        TimeProvider time,
        ILogger logger,
        Backoff backoff,
        SecretRedactor redactor,
        Func<ProviderReply, DateTimeOffset, ProviderOutcome?> classify)
    {
        _provider = provider;
        _client = client;
        _pacer = pacer;
        _time = time;
        _logger = logger;
        _backoff = backoff;
        _redactor = redactor;
        _classify = classify;
    }

    public ProviderPacer Pacer => _pacer;

    public TimeProvider Time => _time;

    public SecretRedactor Redactor => _redactor;

    /// <summary>
    /// Sends <paramref name="build"/>'s request until it gets an answer that is neither throttled nor provably
    /// unsent, or until <paramref name="maxAttempts"/> unsent attempts. Cancellation throws
    /// <see cref="OperationCanceledException"/>; if it lands while a POST is in flight the caller's ledger row stays
    /// <c>sent</c> and recovery resolves it.
    /// </summary>
    /// <param name="letRequestFinish">For a POST that records usage: cancellation ends only the waits (a rate-limit
    /// slot, a lock-out, a back-off), the safe points where nothing is in flight, and the call then returns a
    /// <see cref="OutcomeKind.Stopped"/> failure instead of throwing. A request already written always finishes
    /// (bounded by the client's timeout), so its outcome can be recorded and settled.</param>
    public async Task<CallResult> SendAsync(Func<RestRequest> build, long? submissionId, int maxAttempts, CancellationToken cancellationToken,
        bool letRequestFinish = false)
    {
        var attempts = 0;
        var throttles = 0;
        var requestToken = letRequestFinish ? CancellationToken.None : cancellationToken;
        while (true)
        {
            if (letRequestFinish && cancellationToken.IsCancellationRequested)
            {
                return Stopped(attempts, "before its request was sent");
            }

            cancellationToken.ThrowIfCancellationRequested();
            ProviderReply reply;
            IDisposable slot;
            try
            {
                slot = await _pacer.AcquireAsync(cancellationToken);
            }
            catch (OperationCanceledException) when (letRequestFinish && cancellationToken.IsCancellationRequested)
            {
                return Stopped(attempts, WaitingFor());
            }

            using (slot)
            {
                var started = _time.GetTimestamp();
                var response = await _client.ExecuteAsync(build(), requestToken);
                // RestSharp reports a cancelled call as an Aborted response instead of throwing.
                requestToken.ThrowIfCancellationRequested();
                reply = ProviderReply.From(response);
                Metrics.UsageMetrics.ProviderRequest(_provider, reply.Status, _time.GetElapsedTime(started));
            }

            var now = _time.GetUtcNow();
            var failure = _classify(reply, now) is { } f ? _redactor.Redact(f) : null;
            if (failure is { Kind: OutcomeKind.Throttled })
            {
                if (++throttles > MaxConsecutiveThrottles)
                {
                    return new CallResult(reply, failure with { Attempts = attempts }, attempts);
                }

                var until = now + (failure.RetryAfter ?? TimeSpan.Zero);
                _pacer.PauseUntil(until);
                Metrics.UsageMetrics.ThrottlePause(_provider, until - now);
                _logger.LogWarning(
                    "{ProviderName} throttled {Request} ({Status} {Code}); the account pauses until {PausedUntil} ({Pause})",
                    _provider, What(submissionId), failure.HttpStatus, failure.ProviderCode, UtcText.Format(until), DurationText.Format(until - now));
                continue;
            }

            attempts++;
            if (failure is { Kind: OutcomeKind.NotSent } && attempts < maxAttempts)
            {
                var delay = _backoff.Delay(attempts);
                _logger.LogWarning(
                    "{ProviderName} {Request} not sent (attempt {Attempt} of {MaxAttempts}): {Reason}; retrying in {Delay}",
                    _provider, What(submissionId), attempts, maxAttempts, failure.Message, DurationText.Format(delay));
                try
                {
                    await Task.Delay(delay, _time, cancellationToken);
                }
                catch (OperationCanceledException) when (letRequestFinish && cancellationToken.IsCancellationRequested)
                {
                    return Stopped(attempts, $"while backing off after attempt {attempts} was not sent");
                }

                continue;
            }

            return new CallResult(reply, failure is null ? null : failure with { Attempts = attempts }, attempts);
        }
    }

    // The run's log scope carries SubmissionId as a property; the text names the request for people.
    private static string What(long? submissionId) =>
        submissionId is { } id ? string.Create(System.Globalization.CultureInfo.InvariantCulture, $"submission {id}") : "list request";

    private string WaitingFor() =>
        _pacer.PausedUntil > _time.GetUtcNow() ? "while the account was paused (throttled or locked out)" : "while waiting for a rate-limit slot";

    // Every attempt so far was provably not recorded (throttled or not sent), and nothing is in flight now.
    private static CallResult Stopped(int attempts, string when) =>
        new(new ProviderReply(0, null), ProviderOutcomes.Stopped($"stopped {when}; nothing was sent") with { Attempts = attempts }, attempts);

    public void Dispose()
    {
        _client.Dispose();
        _pacer.Dispose();
    }
}
