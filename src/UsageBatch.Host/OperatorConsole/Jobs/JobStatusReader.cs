using UsageBatch.Billing;
using UsageBatch.Configuration;
using UsageBatch.Hosting;
using UsageBatch.Storage;

namespace UsageBatch.OperatorConsole.Jobs;

/// <summary>
/// Reads every job's <see cref="JobStatus"/>. The row counts scan the usage tables, so one reading is shared for a
/// few seconds by the overview, the health check and the gauges instead of being repeated per request.
/// </summary>
internal sealed class JobStatusReader(ConsoleContext context) : IDisposable
{
    /// <summary>How long a reading is reused.</summary>
    public static readonly TimeSpan Freshness = TimeSpan.FromSeconds(5);

    /// <summary>The default health window past a job's cron interval.</summary>
    public static readonly TimeSpan DefaultMargin = TimeSpan.FromHours(2);

    private readonly SemaphoreSlim _gate = new(1, 1);
    private Reading? _last;

    /// <summary>The latest reading, without touching the database (for the gauges' callbacks).</summary>
    public IReadOnlyList<JobStatus>? Latest => _last?.Jobs;

    public async Task<IReadOnlyList<JobStatus>> ReadAsync(CancellationToken cancellationToken)
    {
        if (_last is { } fresh && context.Time.GetUtcNow() - fresh.At < Freshness)
        {
            return fresh.Jobs;
        }

        await _gate.WaitAsync(cancellationToken);
        try
        {
            if (_last is { } again && context.Time.GetUtcNow() - again.At < Freshness)
            {
                return again.Jobs;
            }

            var now = context.Time.GetUtcNow();
            // Each usage table is counted once per settle cutoff (jobs sharing a table and a settleDelay share one
            // scan, whatever their number); the tables are read side by side, each on its own connection, since the
            // scans dominate (README "Operator console", page load times).
            var oldest = context.Options.Jobs.Select(j => context.Options.TableOf(j)).Distinct()
                .ToDictionary(t => t.Name, t => context.Queries.OldestPendingAsync(t, cancellationToken), StringComparer.Ordinal);
            var counts = CountsToRead(context.Options)
                .ToDictionary(k => k, k => context.Store.CountRowsAsync(k.Table, now - k.SettleDelay, cancellationToken));
            // One seek per table (ix_*_usage_occurred), only for tables a job expects usage in.
            var newest = context.Options.Jobs.Where(j => j.ExpectUsageWithin is not null).Select(j => context.Options.TableOf(j)).Distinct()
                .ToDictionary(t => t.Name, t => context.Store.NewestOccurredAsync(t, cancellationToken), StringComparer.Ordinal);
            var reads = context.Options.Jobs.Select(async job =>
            {
                var table = context.Options.TableOf(job);
                var newestUsage = newest.TryGetValue(table.Name, out var read) ? await read : null;
                return await ReadAsync(job, table, await counts[new CountKey(table, job.SettleDelay)], await oldest[table.Name], newestUsage, now, cancellationToken);
            }).ToList();
            var jobs = (await Task.WhenAll(reads)).ToList();
            _last = new Reading(now, jobs);
            return jobs;
        }
        finally
        {
            _gate.Release();
        }
    }

    private async Task<JobStatus> ReadAsync(JobOptions job, UsageTable table, RowCounts counts, DateTimeOffset? oldestPending, DateTimeOffset? newestUsage,
        DateTimeOffset now, CancellationToken cancellationToken)
    {
        var last = await context.Queries.LastRunAsync(job.Name, completedOnly: false, cancellationToken);
        var success = last?.Status is RunOutcome.Succeeded or RunOutcome.Attention ? last : await context.Queries.LastRunAsync(job.Name, completedOnly: true, cancellationToken);
        var cron = CronText.Normalize(job.Cron);
        var next = job.Enabled ? JobSchedule.NextFireTime(job, now) : null;
        var within = job.HealthyWithin ?? Interval(job, next) + DefaultMargin;
        var problems = new List<string>();
        if (job.Enabled)
        {
            if (success is null)
            {
                problems.Add(last is null ? "has never run" : "has never completed a run");
            }
            else if (now - (success.FinishedAt ?? success.StartedAt) > within)
            {
                problems.Add($"no completed run for {Format.Age(now - (success.FinishedAt ?? success.StartedAt))} (expected within {Format.Duration(within)})");
            }

            if (job.MaxPendingAge is { } maxAge && oldestPending is { } oldest && now - oldest > maxAge)
            {
                problems.Add($"pending rows {Format.Age(now - oldest)} old (maxPendingAge {Format.Duration(maxAge)})");
            }

            if (job.ExpectUsageWithin is { } expect && (newestUsage is null || now - newestUsage > expect))
            {
                problems.Add(newestUsage is { } n
                    ? $"no new usage in {table.Name}: its newest row is {Format.Age(now - n)} old (expectUsageWithin {Format.Duration(expect)})"
                    : $"no usage at all in {table.Name} (expectUsageWithin {Format.Duration(expect)})");
            }
        }

        return new JobStatus(job, table, cron, CronWords.Describe(cron), next, last, success, counts, oldestPending, within, problems, newestUsage);
    }

    /// <summary>One row count per usage table and settle cutoff, however many jobs share them.</summary>
    internal static IReadOnlyList<CountKey> CountsToRead(AppOptions options) =>
        options.Jobs.Select(j => new CountKey(options.TableOf(j), j.SettleDelay)).Distinct().ToList();

    internal readonly record struct CountKey(UsageTable Table, TimeSpan SettleDelay);

    /// <summary>The gap between the next two firings (a day when the cron never fires again).</summary>
    private static TimeSpan Interval(JobOptions job, DateTimeOffset? next) =>
        next is { } first && JobSchedule.Cron(job).GetNextValidTimeAfter(first) is { } second ? second - first : TimeSpan.FromDays(1);

    public void Dispose() => _gate.Dispose();

    private sealed record Reading(DateTimeOffset At, IReadOnlyList<JobStatus> Jobs);
}
