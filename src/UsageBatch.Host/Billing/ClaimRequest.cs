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

    /// <summary>
    /// How many rows the claim rejected, over every group of the run (copies made with <c>with</c> share it). A
    /// group whose rows were all rejected leaves no ledger row, so its rejections are counted here, not on a result.
    /// </summary>
    public ClaimRejections Rejections { get; init; } = new();
}

/// <summary>A count of rows the claim rejected, added once a group's claim has committed (never a retried attempt's).</summary>
internal sealed class ClaimRejections
{
    public int Count { get; private set; }

    public void Add(int rows) => Count += rows;
}
