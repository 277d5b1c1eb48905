namespace UsageBatch.Emulator;

/// <summary>
/// The injected clock plus an offset that only grows, so a test or demo can jump to a renewal instead of waiting
/// for one. Timers and timestamps stay the inner clock's: only "what time is it" moves.
/// </summary>
internal sealed class ShiftableTimeProvider(TimeProvider inner) : TimeProvider
{
    private long _offsetTicks;

    public TimeSpan Offset => TimeSpan.FromTicks(Interlocked.Read(ref _offsetTicks));

    public override DateTimeOffset GetUtcNow() => inner.GetUtcNow() + Offset;

    public override TimeZoneInfo LocalTimeZone => inner.LocalTimeZone;

    public override long TimestampFrequency => inner.TimestampFrequency;

    public override long GetTimestamp() => inner.GetTimestamp();

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period) =>
        inner.CreateTimer(callback, state, dueTime, period);

    /// <summary>Moves "now" forward; a negative shift is the caller's bug, since renewals already happened.</summary>
    public void Advance(TimeSpan by)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(by, TimeSpan.Zero);
        Interlocked.Add(ref _offsetTicks, by.Ticks);
    }

    public void ClearOffset() => Interlocked.Exchange(ref _offsetTicks, 0);
}
