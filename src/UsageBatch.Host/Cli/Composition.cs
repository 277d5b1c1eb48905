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
    /// <param name="loggers">Where the store reports what it recovers from (a lost run guard); optional for read-only verbs.</param>
    public static IBillingStore CreateStore(AppOptions options, Func<string, string?> environment, ILoggerFactory? loggers = null)
    {
        var connectionString = options.Database.ConnectionStringEnv is { } env ? environment(env)! : options.Database.ConnectionString!;
        return options.Database.Provider switch
        {
            "sqlite" => new SqliteBillingStore(new SqliteDatabase(ConfigLoader.ResolveSqlitePath(connectionString, options.BaseDirectory))),
            "sqlserver" => new SqlServerBillingStore(new SqlServerDatabase(connectionString, options.Database.Schema), loggers?.CreateLogger<SqlServerBillingStore>()),
            _ => throw new ConfigurationException([$"database.provider: '{options.Database.Provider}' is not one of sqlite, sqlserver"]),
        };
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
