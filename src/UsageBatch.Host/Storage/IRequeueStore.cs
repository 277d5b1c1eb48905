using UsageBatch.Billing;

namespace UsageBatch.Storage;

/// <summary>What `usagebatch requeue` needs beyond the run's store: finding held rows and releasing them.</summary>
internal interface IRequeueStore
{
    /// <summary>Held rows with this id, in either usage table (ids are per table, so there may be two).</summary>
    Task<IReadOnlyList<HeldRow>> FindHeldRowsAsync(long rowId, IEnumerable<UsageTable> tables, CancellationToken cancellationToken);

    /// <summary>
    /// Takes a held submission back: its held rows become claimed again and the submission takes
    /// <paramref name="status"/> (prepared: the next run sends it; confirmed: settle it now), owned by <paramref name="runId"/>.
    /// </summary>
    Task<int> ReopenSubmissionAsync(long submissionId, long runId, SubmissionStatus status, string reason, string? providerUsageId, string? providerReceiptId, decimal? echoedTotal, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>A held row whose earlier submission's usage exists at the provider: it was billed; say so on the row.</summary>
    Task RestoreBilledRowAsync(UsageTable table, long rowId, long runId, string providerUsageId, string? providerReceiptId, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>A held row whose earlier usage no longer exists at the provider: back to pending, unlinked, so it is billed again.</summary>
    Task ReleaseRowAsync(UsageTable table, long rowId, long runId, string reason, DateTimeOffset now, CancellationToken cancellationToken);
}

/// <summary>A held usage row and the submission it points at.</summary>
internal sealed record HeldRow(UsageTable Table, long RowId, string? SourceKey, long? SubmissionId, string? Reason)
{
    /// <summary>The reason a run writes on a re-queued row it holds (the command in it must work as printed).</summary>
    public static string RequeuedReason(UsageTable table, long rowId, long submissionId, string status, string? providerUsageId) =>
        string.Create(System.Globalization.CultureInfo.InvariantCulture,
            $"re-queued, but its submission {submissionId} is already {status}{(providerUsageId is null ? "" : $" (provider usage {providerUsageId})")}; run `usagebatch requeue --table {table.Name} --row {rowId}` to check the provider");
}
