using UsageBatch.Storage;

namespace UsageBatch.Tests.Storage;

/// <summary>One fresh database per contract test, with the few dialect-specific things a test needs to do to it.</summary>
internal interface IStoreTestDatabase : IAsyncDisposable
{
    IBillingStore Store { get; }

    /// <summary>A second store on the same database, as another process would have it.</summary>
    IBillingStore OtherProcess();

    /// <summary>The process owning <paramref name="store"/> dies (kill -9): whatever it held is gone, nothing is released politely.</summary>
    Task CrashAsync(IBillingStore store);

    /// <summary>Time passes on the database's clock, the one every lease is written and compared on.</summary>
    Task ElapseAsync(TimeSpan span);

    Task InsertWhopAsync(string key, string? membership, string? company, string? itemId, string? identifier, string? amount, string? quantity, DateTimeOffset? occurredAt);

    Task InsertChargebeeAsync(string key, string subscription, string itemPrice, string quantity, DateTimeOffset? occurredAt);

    Task<IReadOnlyList<StoredRow>> RowsAsync(UsageTable table);

    /// <summary>What a DBA does by hand, e.g. re-queue a row by setting it back to 'pending'.</summary>
    Task SetStatusAsync(UsageTable table, long id, string status);
}

internal sealed record StoredRow(long Id, string SourceKey, string Status, long? SubmissionId, string? ProviderUsageId, string? Error, decimal? Value, string? ProviderReceiptId = null);
