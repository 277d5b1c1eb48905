namespace UsageBatch.Emulator;

/// <summary>Limits and switches; tests shrink these so nothing waits for real minutes.</summary>
public sealed class FixtureSettings
{
    public WhopSettings Whop { get; set; } = new();

    public ChargebeeSettings Chargebee { get; set; } = new();
}
