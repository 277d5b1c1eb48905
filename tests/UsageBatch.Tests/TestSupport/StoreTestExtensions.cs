using UsageBatch.Billing;
using UsageBatch.Storage;

namespace UsageBatch.Tests.TestSupport;

internal static class StoreTestExtensions
{
    /// <summary>
    /// One group's claim, as the whole-run claim does it for a list of one: null when nobody's rows remained. The
    /// bucket setting follows from the group's bounds (an hour, a month, else a day).
    /// </summary>
    public static async Task<(ClaimedGroup Claimed, GroupDecision Decision)?> ClaimGroupAsync(this IBillingStore store, ClaimRequest request,
        Func<ClaimedGroup, GroupFacts, GroupDecision> decide, CancellationToken cancellationToken)
    {
        var group = request.Group;
        var bucket = group.BucketStart is { } start && group.BucketEnd is { } end
            ? end - start == TimeSpan.FromHours(1) ? "hour" : end - start > TimeSpan.FromDays(1) ? "month" : "day"
            : "day";
        var results = await store.ClaimGroupsAsync(request, [group], bucket, decide, cancellationToken);
        return results.Count == 0 ? null : results[0];
    }
}
