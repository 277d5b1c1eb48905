namespace UsageBatch.Configuration;

internal sealed class ReportsOptions
{
    public string Directory { get; set; } = "reports";

    /// <summary>Report files (each run's day folder) older than this many days are deleted after a run writes its own.</summary>
    public int RetainedDays { get; set; } = 90;
}
