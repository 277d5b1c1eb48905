namespace UsageBatch.Storage;

/// <summary>One line of a job's run history.</summary>
internal sealed class RunListItem
{
    public long RunId { get; set; }
    public string Status { get; set; } = "";
    public string StartedAt { get; set; } = "";
    public string? FinishedAt { get; set; }
    public long? ExitCode { get; set; }
    public string? Message { get; set; }
}
