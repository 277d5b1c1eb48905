namespace UsageBatch.Providers.Pacing;

/// <summary>
/// Paces one provider account: at most <c>requestsPerWindow</c> requests in any sliding window (a request counts
/// from its start until a window after its answer, so the provider, which counts arrivals, never sees more), at most
/// <c>maxInFlight</c> unfinished, and nothing at all while the account is paused after a 429. One instance per
/// account, shared by submits, resolves and lists, because the provider counts them all against the same key.
/// All waiting goes through the injected <see cref="TimeProvider"/> so tests drive it with a manual clock.
/// </summary>
/// <remarks>
/// Pacing below the provider's limit matters more than handling 429: Whop locks the whole key out for 60 s once
/// it is exceeded. Pacing is per process; several hosts on one account share the provider's limit.
/// </remarks>
internal sealed class ProviderPacer : IDisposable
{
    private readonly int _requestsPerWindow;
    private readonly int _maxInFlight;
    private readonly TimeSpan _window;
    private readonly TimeProvider _time;
    private readonly SemaphoreSlim _inFlight;
    // A slot is taken from a request's start until one window after its response (or failure) arrived: the provider
    // counts arrivals, which fall anywhere between our start and our response, so spacing starts by the window alone
    // let a later request overtake an earlier one on the wire and make N+1 in the provider's window (a 429, and a
    // 60 s lock-out on Whop). Counting from the response is safe whatever the latency and costs one round trip per
    // window. _active: started, not yet answered; _ended: when answered ones were.
    private readonly Queue<DateTimeOffset> _ended = new();
    private int _active;
    private TaskCompletionSource _answered = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Lock _gate = new();
    private DateTimeOffset _pausedUntil = DateTimeOffset.MinValue;

    public ProviderPacer(int requestsPerWindow, TimeSpan window, int maxInFlight, TimeProvider time)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(requestsPerWindow, 1);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(window, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxInFlight, 1);
        _requestsPerWindow = requestsPerWindow;
        _window = window;
        _maxInFlight = maxInFlight;
        _time = time ?? throw new ArgumentNullException(nameof(time));
        _inFlight = new SemaphoreSlim(maxInFlight, maxInFlight);
    }

    /// <summary>The end of the current account-wide pause (MinValue when none was set).</summary>
    public DateTimeOffset PausedUntil
    {
        get
        {
            lock (_gate)
            {
                return _pausedUntil;
            }
        }
    }

    /// <summary>Requests currently holding a slot (for tests and diagnostics).</summary>
    public int InFlight => _maxInFlight - _inFlight.CurrentCount;

    /// <summary>
    /// Stops every caller of this account until <paramref name="instant"/>. Only extends: a shorter pause reported by
    /// a concurrent 429 never cuts a longer one short.
    /// </summary>
    public void PauseUntil(DateTimeOffset instant)
    {
        lock (_gate)
        {
            if (instant > _pausedUntil)
            {
                _pausedUntil = instant;
            }
        }
    }

    /// <summary>
    /// Waits for an in-flight slot, the end of any pause and room in the window, then records the start. Dispose the
    /// returned lease when the response (or failure) has arrived.
    /// </summary>
    public async Task<IDisposable> AcquireAsync(CancellationToken cancellationToken)
    {
        await _inFlight.WaitAsync(cancellationToken);
        try
        {
            while (true)
            {
                var (wait, answered) = TryStart();
                if (answered is not null)
                {
                    // Every slot of the window is a request still under way: the next answer frees one.
                    await answered.WaitAsync(cancellationToken);
                    continue;
                }

                if (wait <= TimeSpan.Zero)
                {
                    return new Lease(this);
                }

                await Task.Delay(wait, _time, cancellationToken);
            }
        }
        catch
        {
            _inFlight.Release();
            throw;
        }
    }

    /// <summary>Records a start and returns zero; or how long to wait; or a task that completes at the next answer.</summary>
    private (TimeSpan Wait, Task? Answered) TryStart()
    {
        lock (_gate)
        {
            var now = _time.GetUtcNow();
            if (now < _pausedUntil)
            {
                return (_pausedUntil - now, null);
            }

            while (_ended.Count > 0 && _ended.Peek() + _window <= now)
            {
                _ended.Dequeue();
            }

            if (_active + _ended.Count < _requestsPerWindow)
            {
                _active++;
                return (TimeSpan.Zero, null);
            }

            return _ended.Count > 0 ? (_ended.Peek() + _window - now, null) : (TimeSpan.Zero, _answered.Task);
        }
    }

    private void Answered()
    {
        TaskCompletionSource answered;
        lock (_gate)
        {
            _active--;
            _ended.Enqueue(_time.GetUtcNow());
            answered = _answered;
            _answered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }

        answered.TrySetResult();
    }

    public void Dispose() => _inFlight.Dispose();

    private sealed class Lease(ProviderPacer owner) : IDisposable
    {
        private int _released;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0)
            {
                owner.Answered();
                owner._inFlight.Release();
            }
        }
    }
}
