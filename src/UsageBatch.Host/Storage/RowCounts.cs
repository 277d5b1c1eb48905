namespace UsageBatch.Storage;

/// <summary>How many rows of a usage table are in each state (for `status` and the demo's final check).</summary>
internal sealed record RowCounts(long Pending, long FutureDated, long Claimed, long Billed, long Rejected, long Held);
