namespace UsageBatch.Providers;

/// <summary>A provider's defaults for an account's settings left out of jobs.json (each from the provider's documented limits).</summary>
internal sealed record ProviderAccountDefaults(int RequestsPerWindow, TimeSpan Window, TimeSpan Lockout, int QuantityDecimals);
