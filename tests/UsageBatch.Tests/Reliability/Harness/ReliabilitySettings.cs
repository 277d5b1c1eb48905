namespace UsageBatch.Reliability;

/// <summary>
/// Knobs of one harness world. The lease is short so a killed run's work is recoverable seconds later; the provider
/// timeout is shorter still (the validator wants lease &gt; timeout + min(10 s, lease/4)).
/// </summary>
internal sealed record ReliabilitySettings
{
    public int LatencyMs { get; init; } = 120;
    public TimeSpan LeaseDuration { get; init; } = TimeSpan.FromSeconds(3);
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(1.5);
    public int JobsPerProvider { get; init; } = 6;
    public int MaxInFlight { get; init; } = 4;
    public int BatchSize { get; init; } = 7;
    public string? MaxQuantityPerSubmission { get; init; }
}
