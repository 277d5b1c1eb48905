namespace UsageBatch.Configuration;

/// <summary>The operator console (jobs.json <c>console</c>): served by `serve` and by `usagebatch console`.</summary>
internal sealed class ConsoleOptions
{
    /// <summary>Whether `serve` serves the console next to the scheduler (`usagebatch console` always does).</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>Addresses to listen on, separated by ';' (ASP.NET Core's form). Loopback unless an auth key is configured.</summary>
    public string Urls { get; set; } = "http://127.0.0.1:5090";

    /// <summary>The environment variable holding the console's access key; required when any url is not loopback.</summary>
    public string? AuthKeyEnv { get; set; }

    /// <summary>An OTLP collector (e.g. <c>http://127.0.0.1:4317</c>); metrics are pushed there as well as scraped.</summary>
    public string? OtlpEndpoint { get; set; }
}
