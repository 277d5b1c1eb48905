namespace UsageBatch.Emulator;

/// <summary>Limits and switches; tests shrink these so nothing waits for real minutes.</summary>
public sealed class FixtureSettings
{
    public WhopSettings Whop { get; set; } = new();

    public ChargebeeSettings Chargebee { get; set; } = new();

    /// <summary>Lifts every provider's rate limit far above what a demo sends (the demo is not about pacing).</summary>
    public void LiftRateLimits()
    {
        Whop.RequestsPerWindow = 1000;
        Chargebee.RequestsPerMinute = 10000;
    }
}
