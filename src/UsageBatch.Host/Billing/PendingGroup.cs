using UsageBatch.Providers;

namespace UsageBatch.Billing;

/// <summary>
/// One group of pending rows as the planning query sees it (before claiming): its key, and its bucket for a provider
/// that dates usage. Nothing is counted or summed here: the claim counts and sums exactly the rows it takes and
/// accepts, which is what the ledger row and the provider get (summing every pending row here first was a second
/// exact aggregate over the whole table, for nothing).
/// </summary>
/// <param name="BucketStart">Chargebee: the start of the group's hour/day/month bucket; null for Whop.</param>
internal sealed record PendingGroup(
    SubmissionTarget Target,
    DateTimeOffset? BucketStart,
    DateTimeOffset? BucketEnd);
