namespace UsageBatch.Tests.TestSupport;

/// <summary>Real time shifted by an offset: a "later" run whose timers still fire for real (for lease-expiry recovery).</summary>
internal sealed class OffsetTimeProvider(TimeSpan offset) : TimeProvider
{
    public override DateTimeOffset GetUtcNow() => System.GetUtcNow() + offset;
}
