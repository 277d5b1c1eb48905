namespace UsageBatch.Configuration;

internal sealed class LoggingOptions
{
    public string Directory { get; set; } = "logs";

    public int RetainedDays { get; set; } = 30;

    public string MinimumLevel { get; set; } = "Information";
}
