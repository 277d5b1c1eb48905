using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;
using UsageBatch.Configuration;
using UsageBatch.Providers;
using UsageBatch.Storage;
using UsageBatch.Storage.Sqlite;
using UsageBatch.Storage.SqlServer;

namespace UsageBatch.Cli;

/// <summary>Builds the store and the provider clients from a validated configuration.</summary>
internal static class Composition
{
    /// <summary>
    /// The store, opened the one way every verb shares: the connection string from connectionStringEnv or
    /// connectionString, a relative SQLite path against the config folder, and a missing SQLite file created only
    /// when <paramref name="use"/> allows it (otherwise an error naming the command that creates it).
    /// </summary>
    /// <param name="loggers">Where the store reports what it recovers from (a lost run guard); optional for read-only verbs.</param>
    public static BillingStore CreateStore(AppOptions options, Func<string, string?> environment, DatabaseUse use = DatabaseUse.Write, ILoggerFactory? loggers = null)
    {
        var connectionString = options.Database.ConnectionStringEnv is { } env ? environment(env)! : options.Database.ConnectionString!;
        return options.Database.Provider switch
        {
            "sqlite" => new BillingStore(new SqliteDialect(new SqliteDatabase(SqliteConnection(options, connectionString, use)), schemaReadOnly: use == DatabaseUse.Read)),
            "sqlserver" => new BillingStore(new SqlServerDialect(new SqlServerDatabase(connectionString, options.Database.Schema), loggers?.CreateLogger<SqlServerDialect>())),
            _ => throw new ConfigurationException([$"database.provider: '{options.Database.Provider}' is not one of sqlite, sqlserver"]),
        };
    }

    /// <summary>Whether the database is the embedded default (data/usagebatch.db next to jobs.json), which a first run may create.</summary>
    public static bool IsEmbeddedDefault(AppOptions options, Func<string, string?> environment) =>
        options.Database.Provider == "sqlite" && options.Database.ConnectionStringEnv is null
        && SqlitePath(options.Database.ConnectionString!, options) == SqlitePath(DatabaseOptions.EmbeddedDefault, options);

    /// <summary>The full path of the SQLite database file the configuration names (with connectionStringEnv read), or null for SQL Server.</summary>
    public static string? SqliteFile(AppOptions options, Func<string, string?> environment) =>
        options.Database.Provider != "sqlite" ? null
            : SqlitePath(options.Database.ConnectionStringEnv is { } env ? environment(env)! : options.Database.ConnectionString!, options);

    private static string SqlitePath(string connectionString, AppOptions options) =>
        Path.GetFullPath(new SqliteConnectionStringBuilder(ConfigLoader.ResolveSqlitePath(connectionString, options.BaseDirectory)).DataSource);

    private static string SqliteConnection(AppOptions options, string connectionString, DatabaseUse use)
    {
        var builder = new SqliteConnectionStringBuilder(ConfigLoader.ResolveSqlitePath(connectionString, options.BaseDirectory));
        var key = options.Database.ConnectionStringEnv is { } env ? $"database.connectionStringEnv ({env})" : "database.connectionString";
        if (builder.DataSource is "" or ":memory:" || builder.Mode == SqliteOpenMode.Memory)
        {
            return builder.ToString();
        }

        var path = Path.GetFullPath(builder.DataSource);
        if (use != DatabaseUse.Create)
        {
            if (!File.Exists(path))
            {
                throw new ConfigurationException([$"{key}: database file '{path}' does not exist; `usagebatch db init` creates it (`usagebatch demo` creates it with sample usage)"]);
            }

            // SQLite creates a missing file on open unless told not to: a file deleted from under us must not come back empty.
            if (builder.Mode == SqliteOpenMode.ReadWriteCreate)
            {
                builder.Mode = SqliteOpenMode.ReadWrite;
            }

            return builder.ToString();
        }

        try
        {
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new ConfigurationException([$"{key}: cannot create the folder of '{path}': {ex.Message}"]);
        }

        return builder.ToString();
    }

    /// <summary>
    /// The connection string of Quartz's job store: null for <c>memory</c>; otherwise scheduler.connectionString or
    /// scheduler.connectionStringEnv, else the database's own when it is the same kind of database (the default:
    /// the embedded SQLite file holds Quartz's QRTZ_* tables next to ours).
    /// </summary>
    public static string? SchedulerConnectionString(AppOptions options, Func<string, string?> environment)
    {
        var scheduler = options.Scheduler;
        if (scheduler.Store == "memory")
        {
            return null;
        }

        var own = scheduler.ConnectionStringEnv is { } env ? environment(env) : scheduler.ConnectionString;
        if (!string.IsNullOrWhiteSpace(own))
        {
            return scheduler.Store == "sqlite" ? ConfigLoader.ResolveSqlitePath(own, options.BaseDirectory) : own;
        }

        if (options.Database.Provider == scheduler.Store)
        {
            var database = options.Database.ConnectionStringEnv is { } dbEnv ? environment(dbEnv)! : options.Database.ConnectionString!;
            return scheduler.Store == "sqlite" ? ConfigLoader.ResolveSqlitePath(database, options.BaseDirectory) : database;
        }

        throw new ConfigurationException([$"scheduler.connectionString: required for store {scheduler.Store} when database.provider is {options.Database.Provider}"]);
    }

    /// <summary>The API key comes only from the environment variable the account names; it is never logged.</summary>
    public static IUsageProvider CreateProvider(string accountName, ProviderAccountOptions account, Func<string, string?> environment, TimeProvider time, ILoggerFactory loggers)
    {
        var key = environment(account.ApiKeyEnv ?? "")
            ?? throw new ConfigurationException([$"providers.{accountName}.apiKeyEnv: environment variable {account.ApiKeyEnv} is not set"]);
        return ProviderClientFactory.Create(accountName, account, key, time, loggers);
    }
}
