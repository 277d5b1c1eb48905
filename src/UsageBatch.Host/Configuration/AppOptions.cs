namespace UsageBatch.Configuration;

/// <summary>The whole of jobs.json, bound through Microsoft.Extensions.Configuration (environment variables override any key).</summary>
internal sealed class AppOptions
{
    public DatabaseOptions Database { get; set; } = new();

    /// <summary>Provider accounts by name; jobs refer to them by that name.</summary>
    public Dictionary<string, ProviderAccountOptions> Providers { get; set; } = new(StringComparer.Ordinal);

    public List<JobOptions> Jobs { get; set; } = [];

    public SchedulerOptions Scheduler { get; set; } = new();

    public ReportsOptions Reports { get; set; } = new();

    public LoggingOptions Logging { get; set; } = new();

    public ConsoleOptions Console { get; set; } = new();

    /// <summary>The folder of the config file: relative paths resolve against it. Not a jobs.json key (no public setter, so the binder refuses it).</summary>
    public string BaseDirectory { get; internal set; } = Directory.GetCurrentDirectory();

    /// <summary>The provider account a job bills through (validation has made sure it exists).</summary>
    public ProviderAccountOptions AccountOf(JobOptions job) => Providers[job.Provider];

    /// <summary>The usage table a job reads: its account's provider's table.</summary>
    public Storage.UsageTable TableOf(JobOptions job) => AccountOf(job).Module.Table;
}
