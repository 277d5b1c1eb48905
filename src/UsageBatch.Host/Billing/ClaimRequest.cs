using UsageBatch.Usage;

namespace UsageBatch.Billing;

/// <summary>Everything a claim of one group needs.</summary>
internal sealed record ClaimRequest(
    long RunId,
    string Job,
    string ProviderAccount,
    Storage.UsageTable Table,
    PendingGroup Group,
    DateTimeOffset Cutoff,
    int BatchSize,
    ValidationRules Rules,
    string UsageIdPrefix,
    DateTimeOffset Now)
{
    /// <summary>The provider whose table this is (its rules, capabilities and decisions).</summary>
    public Providers.ProviderModule Module => Providers.ProviderRegistry.For(Table);
}
