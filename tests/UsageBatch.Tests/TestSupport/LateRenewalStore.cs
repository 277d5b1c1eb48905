using Dapper;
using UsageBatch.Billing;
using UsageBatch.Providers;
using UsageBatch.Storage;
using UsageBatch.Storage.Sqlite;
using UsageBatch.Usage;

namespace UsageBatch.Tests.TestSupport;

/// <summary>
/// Simulates a lease renewal that came late (a busy database or a starved process): just before the first send of
/// each submission, the run's lease is cut to one second from now, so the store refuses to start a request that
/// could outlive it. What the crash harness saw on a loaded machine with 3 s leases.
/// </summary>
internal sealed class LateRenewalStore(BillingStore inner, SqliteDatabase database) : IBillingStore
{
    private readonly HashSet<long> _squeezed = [];

    public async Task<bool> MarkSentAsync(long s, long r, DateTimeOffset n, TimeSpan l, CancellationToken c)
    {
        bool first;
        lock (_squeezed)
        {
            first = _squeezed.Add(s);
        }

        if (first)
        {
            await using var connection = await database.OpenAsync(c);
            await connection.ExecuteAsync("UPDATE ub_run SET lease_until = @Until WHERE id = @Id",
                new { Id = r, Until = UtcText.Format(database.Clock.GetUtcNow().AddSeconds(1)) });
        }

        return await inner.MarkSentAsync(s, r, n, l, c);
    }

    public string Dialect => inner.Dialect;
    public Task<int> EnsureSchemaAsync(CancellationToken c) => inner.EnsureSchemaAsync(c);
    public Task<int> ApplySchemaAsync(CancellationToken c) => inner.ApplySchemaAsync(c);
    public Task<string> GetUsageIdPrefixAsync(DateTimeOffset n, CancellationToken c) => inner.GetUsageIdPrefixAsync(n, c);
    public Task<long> StartRunAsync(RunRecord r, CancellationToken c) => inner.StartRunAsync(r, c);
    public Task<bool> TryAcquireJobLockAsync(string j, long r, TimeSpan l, CancellationToken c) => inner.TryAcquireJobLockAsync(j, r, l, c);
    public Task<long?> JobLockHolderAsync(string j, CancellationToken c) => inner.JobLockHolderAsync(j, c);
    public Task ReleaseJobLockAsync(string j, long r, CancellationToken c) => inner.ReleaseJobLockAsync(j, r, c);
    public Task<bool> RenewLeaseAsync(long r, string j, TimeSpan l, CancellationToken c) => inner.RenewLeaseAsync(r, j, l, c);
    public Task FinishRunAsync(long r, RunOutcome s, int e, string? m, string j, DateTimeOffset n, CancellationToken c) => inner.FinishRunAsync(r, s, e, m, j, n, c);
    public Task<string?> RunStatusAsync(long r, CancellationToken c) => inner.RunStatusAsync(r, c);
    public Task<IReadOnlyList<RunningRun>> RunningRunsAsync(CancellationToken c) => inner.RunningRunsAsync(c);
    public Task<bool> DeclareDeadAsync(long r, string reason, DateTimeOffset now, CancellationToken c) => inner.DeclareDeadAsync(r, reason, now, c);
    public Task<IReadOnlyList<LedgerSubmission>> AdoptOrphansAsync(string a, long r, DateTimeOffset n, CancellationToken c) => inner.AdoptOrphansAsync(a, r, n, c);
    public IAsyncEnumerable<UsageRow> ReadPendingRowsAsync(UsageTable t, CancellationToken c) => inner.ReadPendingRowsAsync(t, c);
    public Task<int> RejectRowsAsync(UsageTable t, long r, IReadOnlyList<RowRejection> x, DateTimeOffset n, CancellationToken c) => inner.RejectRowsAsync(t, r, x, n, c);
    public Task<int> HoldRequeuedRowsAsync(UsageTable t, long r, DateTimeOffset n, CancellationToken c) => inner.HoldRequeuedRowsAsync(t, r, n, c);
    public Task<IReadOnlyList<PendingGroup>> ListPendingGroupsAsync(UsageTable t, DateTimeOffset cut, string b, CancellationToken c) => inner.ListPendingGroupsAsync(t, cut, b, c);
    public Task<IReadOnlyList<(ClaimedGroup Claimed, GroupDecision Decision)>> ClaimGroupsAsync(ClaimRequest t, IReadOnlyList<PendingGroup> g, string b, Func<ClaimedGroup, GroupFacts, GroupDecision> d, CancellationToken c) => inner.ClaimGroupsAsync(t, g, b, d, c);
    public Task<int> SettleConfirmedAsync(UsageTable t, long r, int b, DateTimeOffset n, CancellationToken c) => inner.SettleConfirmedAsync(t, r, b, n, c);
    public Task<IReadOnlyList<HeldRow>> FindRequeuedBilledRowsAsync(UsageTable t, CancellationToken c) => inner.FindRequeuedBilledRowsAsync(t, c);
    public Task MoveUsageDateAsync(long s, long r, DateTimeOffset u, string e, string d, DateTimeOffset n, CancellationToken c) => inner.MoveUsageDateAsync(s, r, u, e, d, n, c);

    public Task RecordEventAsync(long s, long r, string e, string d, DateTimeOffset n, CancellationToken c) => inner.RecordEventAsync(s, r, e, d, n, c);
    public Task<IReadOnlySet<DateTimeOffset>> UsedUsageDatesAsync(string a, SubmissionTarget t, DateTimeOffset s, DateTimeOffset e, long x, CancellationToken c) => inner.UsedUsageDatesAsync(a, t, s, e, x, c);
    public Task<IReadOnlySet<string>> OwnedUsageIdsAsync(string a, SubmissionTarget t, CancellationToken c) => inner.OwnedUsageIdsAsync(a, t, c);
    public Task<bool> RecordOutcomeAsync(OutcomeRecord o, CancellationToken c) => inner.RecordOutcomeAsync(o, c);
    public Task<int> SettleRowsAsync(long s, long r, int b, DateTimeOffset n, CancellationToken c) => inner.SettleRowsAsync(s, r, b, n, c);
    public Task<int> CarryUnreportedAsync(string a, long r, DateTimeOffset n, CancellationToken c) => inner.CarryUnreportedAsync(a, r, n, c);
    public Task MarkReportWrittenAsync(long r, DateTimeOffset n, CancellationToken c) => inner.MarkReportWrittenAsync(r, n, c);
    public Task MarkReportFailedAsync(long r, string m, CancellationToken c) => inner.MarkReportFailedAsync(r, m, c);
    public Task<LedgerSubmission?> GetSubmissionAsync(long s, CancellationToken c) => inner.GetSubmissionAsync(s, c);
    public Task<IReadOnlyList<LedgerSubmission>> SubmissionsOfRunAsync(long r, CancellationToken c) => inner.SubmissionsOfRunAsync(r, c);
    public Task<RowCounts> CountRowsAsync(UsageTable t, DateTimeOffset cut, CancellationToken c) => inner.CountRowsAsync(t, cut, c);

    public Task<DateTimeOffset?> NewestOccurredAsync(UsageTable t, CancellationToken c) => inner.NewestOccurredAsync(t, c);
    public Task<IReadOnlyList<RunListItem>> RecentRunsAsync(string j, int n, CancellationToken c) => inner.RecentRunsAsync(j, n, c);
}
