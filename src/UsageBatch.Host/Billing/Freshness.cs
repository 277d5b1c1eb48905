using Microsoft.Extensions.Logging;
using UsageBatch.Configuration;
using UsageBatch.Storage;
using UsageBatch.Usage;

namespace UsageBatch.Billing;

/// <summary>
/// Silence is not success: with expectUsageWithin set, a usage table whose newest row (any status) is older than that
/// makes the run end attention, with one line naming the table and that row's occurred_at.
/// </summary>
internal static class Freshness
{
    public static async Task CheckAsync(IBillingStore store, JobOptions job, UsageTable table, TimeProvider time, ILogger logger, RunSummary summary)
    {
        if (job.ExpectUsageWithin is not { } within)
        {
            return;
        }

        var newest = await store.NewestOccurredAsync(table, CancellationToken.None);
        summary.NewestUsageAt = newest;
        var now = time.GetUtcNow();
        if (newest is null || now - newest > within)
        {
            summary.Stale = newest is { } n
                ? $"{table.Name}: no new usage; its newest row occurred at {UtcText.Format(n)}, {DurationText.Format(now - n)} ago (expectUsageWithin {DurationText.Format(within)}): check the upstream load"
                : $"{table.Name}: no usage at all (expectUsageWithin {DurationText.Format(within)}): check the upstream load";
            logger.LogWarning("Stale usage: {Stale}", summary.Stale);
        }
    }
}
