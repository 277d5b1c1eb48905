namespace UsageBatch.Usage;

/// <summary>A row that can never be billed, and why (the reason names the field).</summary>
internal sealed record RowRejection(long RowId, string? SourceKey, string Reason);
