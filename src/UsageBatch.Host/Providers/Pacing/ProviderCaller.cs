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
    public async Task<CallResult> SendAsync(Func<RestRequest> build, long? submissionId, int maxAttempts, CancellationToken cancellationToken)
    {
        var attempts = 0;
        var throttles = 0;
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            ProviderReply reply;
            using (await _pacer.AcquireAsync(cancellationToken))
            {
                var started = _time.GetTimestamp();
                var response = await _client.ExecuteAsync(build(), cancellationToken);
                // RestSharp reports a cancelled call as an Aborted response instead of throwing.
                cancellationToken.ThrowIfCancellationRequested();
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
                await Task.Delay(delay, _time, cancellationToken);
                continue;
            }

            return new CallResult(reply, failure is null ? null : failure with { Attempts = attempts }, attempts);
        }
    }

    // The run's log scope carries SubmissionId as a property; the text names the request for people.
    private static string What(long? submissionId) =>
        submissionId is { } id ? string.Create(System.Globalization.CultureInfo.InvariantCulture, $"submission {id}") : "list request";

    public void Dispose()
    {
        _client.Dispose();
        _pacer.Dispose();
    }
}
