namespace UsageBatch.Tests.TestSupport;

/// <summary>
/// Real time shifted by an offset: a "later" run whose timers still fire for real (for lease-expiry recovery).
/// FakeTimeProvider cannot stand in: its time moves only when a test advances it, and this run's must run on its own.
/// </summary>
internal sealed class OffsetTimeProvider(TimeSpan offset) : TimeProvider
{
    public override DateTimeOffset GetUtcNow() => System.GetUtcNow() + offset;
}
