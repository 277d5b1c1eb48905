namespace UsageBatch.Usage;

/// <summary>What a provider account and a run accept (from jobs.json and the run's cutoff).</summary>
/// <param name="QuantityDecimals">Decimal places the provider takes for quantities.</param>
/// <param name="AmountDecimals">Whop: decimal places for amounts.</param>
/// <param name="OldestAccepted">Rows dated before this are rejected as implausible (cutoff − maxAge).</param>
internal sealed record ValidationRules(int QuantityDecimals, int AmountDecimals, DateTimeOffset OldestAccepted);
