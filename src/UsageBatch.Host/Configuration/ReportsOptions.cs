namespace UsageBatch.Configuration;

internal sealed class ReportsOptions
{
    public string Directory { get; set; } = "reports";
}
