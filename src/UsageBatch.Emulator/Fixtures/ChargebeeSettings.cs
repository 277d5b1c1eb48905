namespace UsageBatch.Emulator;

/// <summary>Chargebee v2 behaviour knobs; defaults are a test site's documented limits.</summary>
public sealed class ChargebeeSettings
{
    public int RequestsPerMinute { get; set; } = 150;

    /// <summary>The rate-limit window; Chargebee counts "the past 60 s", tests shrink it.</summary>
    public TimeSpan Window { get; set; } = TimeSpan.FromMinutes(1);

    public TimeSpan IdempotencyWindow { get; set; } = TimeSpan.FromMinutes(30);

    public int MaxUsagesPerSubscription { get; set; } = 5000;

    public int QuantityDecimals { get; set; } = 2;

    /// <summary>
    /// How the site turns a term's usages into a metered line's quantity: <c>sum</c> (the default) or <c>max</c> (the
    /// provider's "Max usage" site setting). Under <c>max</c> a line bills less than its usages add up to.
    /// </summary>
    public string UsageAggregation { get; set; } = "sum";
}
