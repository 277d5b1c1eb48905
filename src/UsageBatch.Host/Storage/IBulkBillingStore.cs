using UsageBatch.Billing;

namespace UsageBatch.Storage;

/// <summary>
/// Optional, for stores that can claim and settle a whole run in set-based passes over the usage table
/// (SQLite: <see cref="Sqlite.SqliteBillingStore"/>). Same outcome as <see cref="IBillingStore.ClaimGroupAsync"/> per
/// group and <see cref="IBillingStore.SettleRowsAsync"/> per confirmed submission; a store without it gets those.
/// </summary>
internal interface IBulkBillingStore
{
    /// <summary>Claims and prepares every listed group; the result per group is <see cref="IBillingStore.ClaimGroupAsync"/>'s (groups nobody's rows remained for are left out).</summary>
    Task<IReadOnlyList<(ClaimedGroup Claimed, GroupDecision Decision)>> ClaimGroupsAsync(
        ClaimRequest template, IReadOnlyList<PendingGroup> groups, string bucket, Func<ClaimedGroup, GroupFacts, GroupDecision> decide,
        CancellationToken cancellationToken);

    /// <summary>Settles the rows of the run's confirmed submissions whose outcome is recorded and whose rows are not yet settled.</summary>
    Task<int> SettleConfirmedAsync(UsageTable table, long runId, int batchSize, DateTimeOffset now, CancellationToken cancellationToken);
}
