namespace UsageBatch.Configuration;

internal sealed class SchedulerOptions
{
    /// <summary><c>sqlite</c> (default), <c>memory</c> or <c>sqlserver</c>.</summary>
    public string Store { get; set; } = "sqlite";

    public string? ConnectionString { get; set; }

    public string? ConnectionStringEnv { get; set; }

    public bool Clustered { get; set; }

    public string InstanceId { get; set; } = "AUTO";

    public TimeSpan CheckinInterval { get; set; } = TimeSpan.FromSeconds(15);

    public TimeSpan MisfireThreshold { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>Unset: the longest provider timeout plus settling (see <see cref="ShutdownBudget"/>).</summary>
    public TimeSpan? ShutdownTimeout { get; set; }
}
