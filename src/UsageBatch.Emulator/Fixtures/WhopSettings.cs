namespace UsageBatch.Emulator;

/// <summary>Whop v5 behaviour knobs; defaults are the documented v5 limits (20 per 10 s, 60 s lock-out).</summary>
public sealed class WhopSettings
{
    public int RequestsPerWindow { get; set; } = 20;

    public TimeSpan Window { get; set; } = TimeSpan.FromSeconds(10);

    public TimeSpan Lockout { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>Whether create returns a receipt id at once (the seed document shows one); false = only after a charge.</summary>
    public bool ReceiptOnCreate { get; set; } = true;
}
