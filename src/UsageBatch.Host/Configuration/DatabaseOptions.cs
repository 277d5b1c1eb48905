namespace UsageBatch.Configuration;

internal sealed class DatabaseOptions
{
    /// <summary><c>sqlite</c> (default, embedded) or <c>sqlserver</c>.</summary>
    public string Provider { get; set; } = "sqlite";

    /// <summary>The embedded database next to jobs.json when neither connectionString nor connectionStringEnv is given.</summary>
    public const string EmbeddedDefault = "Data Source=data/usagebatch.db";

    public string? ConnectionString { get; set; }

    /// <summary>Name of an environment variable holding the connection string (a SQL Server password belongs there).</summary>
    public string? ConnectionStringEnv { get; set; }

    /// <summary>SQL Server schema of the usage and ledger tables.</summary>
    public string Schema { get; set; } = "dbo";
}
