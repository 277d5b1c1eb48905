using UsageBatch.Storage;

namespace UsageBatch.Cli;

/// <summary>What `requeue` was asked to release: a row (in the table given or implied by --job) or a submission.</summary>
internal sealed record RequeueTarget(long? Row, long? Submission, UsageTable? Table, string? Job, bool IntoCurrentTerm = false);
