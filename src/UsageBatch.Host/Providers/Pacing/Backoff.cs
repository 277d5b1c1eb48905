namespace UsageBatch.Providers.Pacing;

/// <summary>
/// Exponential backoff with jitter between attempts that provably did not reach the provider (and, for
/// Chargebee, between re-POSTs after an unknown outcome). Jitter spreads the retries of the in-flight requests
/// that all failed on the same outage.
/// </summary>
internal sealed class Backoff(TimeSpan baseDelay, TimeSpan maxDelay, Func<double> random)
{
    public static Backoff Default { get; } = new(TimeSpan.FromMilliseconds(500), TimeSpan.FromSeconds(30), Random.Shared.NextDouble);

    /// <summary>The delay after failed attempt number <paramref name="attempt"/> (1-based): half fixed, half random.</summary>
    public TimeSpan Delay(int attempt)
    {
        var exponent = Math.Clamp(attempt - 1, 0, 20);
        var ceiling = Math.Min(baseDelay.TotalMilliseconds * Math.Pow(2, exponent), maxDelay.TotalMilliseconds);
        return TimeSpan.FromMilliseconds((ceiling / 2) + (ceiling / 2 * random()));
    }
}
