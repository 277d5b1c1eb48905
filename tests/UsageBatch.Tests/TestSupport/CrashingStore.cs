using System.Runtime.CompilerServices;
using UsageBatch.Billing;
using UsageBatch.Providers;
using UsageBatch.Storage;
using UsageBatch.Usage;

namespace UsageBatch.Tests.TestSupport;

/// <summary>
/// Simulates a process killed at a chosen store call: that call and every later one fail, so the run can neither
/// finish its work nor clean up — exactly what the next run sees after a kill -9. With <c>once</c>, only that call
/// fails: a transient database error the run must survive by aborting cleanly.
/// </summary>
internal sealed class CrashingStore(IBillingStore inner, string crashAtMethod, int occurrence = 1, bool once = false) : IBillingStore
{
    private int _seen;

    public bool Crashed { get; private set; }

    private void Step([CallerMemberName] string method = "")
    {
        if ((Crashed && !once) || (method == crashAtMethod && Interlocked.Increment(ref _seen) == occurrence))
        {
            Crashed = true;
            throw new InvalidOperationException($"simulated crash at {method}");
        }
    }

    public string Dialect => inner.Dialect;
    public Task<int> EnsureSchemaAsync(CancellationToken c) { Step(); return inner.EnsureSchemaAsync(c); }
    public Task<int> ApplySchemaAsync(CancellationToken c) { Step(); return inner.ApplySchemaAsync(c); }
    public Task<string> GetUsageIdPrefixAsync(DateTimeOffset n, CancellationToken c) { Step(); return inner.GetUsageIdPrefixAsync(n, c); }
    public Task<long> StartRunAsync(RunRecord r, CancellationToken c) { Step(); return inner.StartRunAsync(r, c); }
    public Task<bool> TryAcquireJobLockAsync(string j, long r, TimeSpan l, CancellationToken c) { Step(); return inner.TryAcquireJobLockAsync(j, r, l, c); }
    public Task<long?> JobLockHolderAsync(string j, CancellationToken c) { Step(); return inner.JobLockHolderAsync(j, c); }
    public Task ReleaseJobLockAsync(string j, long r, CancellationToken c) { Step(); return inner.ReleaseJobLockAsync(j, r, c); }
    public Task<bool> RenewLeaseAsync(long r, string j, TimeSpan l, CancellationToken c) { Step(); return inner.RenewLeaseAsync(r, j, l, c); }
    public Task FinishRunAsync(long r, RunOutcome s, int e, string? m, string j, DateTimeOffset n, CancellationToken c) { Step(); return inner.FinishRunAsync(r, s, e, m, j, n, c); }
    public Task<string?> RunStatusAsync(long r, CancellationToken c) { Step(); return inner.RunStatusAsync(r, c); }
    public Task<IReadOnlyList<RunningRun>> RunningRunsAsync(CancellationToken c) { Step(); return inner.RunningRunsAsync(c); }
    public Task<bool> DeclareDeadAsync(long r, string reason, DateTimeOffset now, CancellationToken c) { Step(); return inner.DeclareDeadAsync(r, reason, now, c); }
    public Task<IReadOnlyList<LedgerSubmission>> AdoptOrphansAsync(string a, long r, DateTimeOffset n, CancellationToken c) { Step(); return inner.AdoptOrphansAsync(a, r, n, c); }
    public IAsyncEnumerable<UsageRow> ReadPendingRowsAsync(UsageTable t, CancellationToken c) { Step(); return Counted(inner.ReadPendingRowsAsync(t, c)); }

    /// <summary>How many rows the run read through <see cref="ReadPendingRowsAsync"/> (the validation read).</summary>
    public int PendingRowsRead { get; private set; }

    private async IAsyncEnumerable<UsageRow> Counted(IAsyncEnumerable<UsageRow> rows)
    {
        await foreach (var row in rows)
        {
            PendingRowsRead++;
            yield return row;
        }
    }
    public Task<int> RejectRowsAsync(UsageTable t, long r, IReadOnlyList<RowRejection> x, DateTimeOffset n, CancellationToken c) { Step(); return inner.RejectRowsAsync(t, r, x, n, c); }
    public Task<int> HoldRequeuedRowsAsync(UsageTable t, long r, DateTimeOffset n, CancellationToken c) { Step(); return inner.HoldRequeuedRowsAsync(t, r, n, c); }
    public Task<IReadOnlyList<PendingGroup>> ListPendingGroupsAsync(UsageTable t, DateTimeOffset cut, string b, CancellationToken c) { Step(); return inner.ListPendingGroupsAsync(t, cut, b, c); }
    public Task<IReadOnlyList<(ClaimedGroup Claimed, GroupDecision Decision)>> ClaimGroupsAsync(ClaimRequest t, IReadOnlyList<PendingGroup> g, string b, Func<ClaimedGroup, GroupFacts, GroupDecision> d, CancellationToken c) { Step(); return inner.ClaimGroupsAsync(t, g, b, d, c); }
    public Task<int> SettleConfirmedAsync(UsageTable t, long r, int b, DateTimeOffset n, CancellationToken c) { Step(); return inner.SettleConfirmedAsync(t, r, b, n, c); }
    public Task<IReadOnlyList<HeldRow>> FindRequeuedBilledRowsAsync(UsageTable t, CancellationToken c) { Step(); return inner.FindRequeuedBilledRowsAsync(t, c); }
    public Task<bool> MarkSentAsync(long s, long r, DateTimeOffset n, TimeSpan l, CancellationToken c) { Step(); return inner.MarkSentAsync(s, r, n, l, c); }
    public Task MoveUsageDateAsync(long s, long r, DateTimeOffset u, string e, string d, DateTimeOffset n, CancellationToken c) { Step(); return inner.MoveUsageDateAsync(s, r, u, e, d, n, c); }

    public Task RecordEventAsync(long s, long r, string e, string d, DateTimeOffset n, CancellationToken c) { Step(); return inner.RecordEventAsync(s, r, e, d, n, c); }
    public Task<IReadOnlySet<DateTimeOffset>> UsedUsageDatesAsync(string a, SubmissionTarget t, DateTimeOffset s, DateTimeOffset e, long x, CancellationToken c) { Step(); return inner.UsedUsageDatesAsync(a, t, s, e, x, c); }
    public Task<IReadOnlySet<string>> OwnedUsageIdsAsync(string a, SubmissionTarget t, CancellationToken c) { Step(); return inner.OwnedUsageIdsAsync(a, t, c); }
    public Task<bool> RecordOutcomeAsync(OutcomeRecord o, CancellationToken c) { Step(); return inner.RecordOutcomeAsync(o, c); }
    public Task<int> SettleRowsAsync(long s, long r, int b, DateTimeOffset n, CancellationToken c) { Step(); return inner.SettleRowsAsync(s, r, b, n, c); }
    public Task<int> CarryUnreportedAsync(string a, long r, DateTimeOffset n, CancellationToken c) { Step(); return inner.CarryUnreportedAsync(a, r, n, c); }
    public Task MarkReportWrittenAsync(long r, DateTimeOffset n, CancellationToken c) { Step(); return inner.MarkReportWrittenAsync(r, n, c); }
    public Task MarkReportFailedAsync(long r, string m, CancellationToken c) { Step(); return inner.MarkReportFailedAsync(r, m, c); }
    public Task<LedgerSubmission?> GetSubmissionAsync(long s, CancellationToken c) { Step(); return inner.GetSubmissionAsync(s, c); }
    public Task<IReadOnlyList<LedgerSubmission>> SubmissionsOfRunAsync(long r, CancellationToken c) { Step(); return inner.SubmissionsOfRunAsync(r, c); }
    public Task<RowCounts> CountRowsAsync(UsageTable t, DateTimeOffset cut, CancellationToken c) { Step(); return inner.CountRowsAsync(t, cut, c); }

    public Task<DateTimeOffset?> NewestOccurredAsync(UsageTable t, CancellationToken c) { Step(); return inner.NewestOccurredAsync(t, c); }
    public Task<IReadOnlyList<RunListItem>> RecentRunsAsync(string j, int n, CancellationToken c) { Step(); return inner.RecentRunsAsync(j, n, c); }
}
