namespace UsageBatch.Emulator;

/// <summary>Counts accepted requests over a sliding window (both providers count "the past N seconds").</summary>
internal sealed class SlidingWindow
{
    private readonly Queue<DateTimeOffset> _hits = new();

    /// <summary>Records a hit unless <paramref name="limit"/> hits already fall inside the window.</summary>
    /// <param name="untilFree">When refused: how long until the oldest hit leaves the window.</param>
    public bool TryAdd(DateTimeOffset now, int limit, TimeSpan window, out TimeSpan untilFree)
    {
        while (_hits.Count > 0 && _hits.Peek() + window <= now)
        {
            _hits.Dequeue();
        }

        if (_hits.Count >= limit)
        {
            untilFree = _hits.Peek() + window - now;
            return false;
        }

        _hits.Enqueue(now);
        untilFree = TimeSpan.Zero;
        return true;
    }

    public void Clear() => _hits.Clear();
}
