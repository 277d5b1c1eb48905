namespace UsageBatch.Emulator.Whop;

/// <summary>
/// v5's limit: more than N requests in the window locks the account out for the cool-down, during which
/// every request is refused (docs.whop.com/api-reference/v5/rate-limits).
/// </summary>
internal sealed class WhopRateLimiter
{
    private readonly SlidingWindow _window = new();
    private DateTimeOffset _lockedUntil = DateTimeOffset.MinValue;

    public bool TryAcquire(DateTimeOffset now, WhopSettings settings)
    {
        if (now < _lockedUntil)
        {
            return false;
        }

        if (_window.TryAdd(now, settings.RequestsPerWindow, settings.Window, out _))
        {
            return true;
        }

        _lockedUntil = now + settings.Lockout;
        _window.Clear();
        return false;
    }

    public void Clear()
    {
        _window.Clear();
        _lockedUntil = DateTimeOffset.MinValue;
    }
}
