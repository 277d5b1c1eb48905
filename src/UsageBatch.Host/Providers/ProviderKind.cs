namespace UsageBatch.Providers;

/// <summary>The billing providers a provider account in jobs.json can be.</summary>
internal enum ProviderKind
{
    Whop,
    Chargebee,
}
