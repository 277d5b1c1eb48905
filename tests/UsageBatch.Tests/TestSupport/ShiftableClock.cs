namespace UsageBatch.Tests.TestSupport;

/// <summary>
/// Real time plus an offset a test moves forward: the database's clock of a harness, on which every lease is written
/// and compared, so "the lease has run out" is said by moving it, never by giving one run a clock that runs ahead.
/// </summary>
internal sealed class ShiftableClock : TimeProvider
{
    private long _offsetTicks;

    public override DateTimeOffset GetUtcNow() => System.GetUtcNow() + TimeSpan.FromTicks(Interlocked.Read(ref _offsetTicks));

    public void Advance(TimeSpan by) => Interlocked.Add(ref _offsetTicks, by.Ticks);
}
