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
    public static IBillingStore CreateStore(AppOptions options, Func<string, string?> environment)
    {
        var connectionString = options.Database.ConnectionStringEnv is { } env ? environment(env)! : options.Database.ConnectionString!;
        return options.Database.Provider switch
        {
            "sqlite" => new SqliteBillingStore(new SqliteDatabase(ConfigLoader.ResolveSqlitePath(connectionString, options.BaseDirectory))),
            "sqlserver" => new SqlServerBillingStore(new SqlServerDatabase(connectionString, options.Database.Schema)),
            _ => throw new ConfigurationException([$"database.provider: '{options.Database.Provider}' is not one of sqlite, sqlserver"]),
        };
    }

    /// <summary>The API key comes only from the environment variable the account names; it is never logged.</summary>
    public static IUsageProvider CreateProvider(string accountName, ProviderAccountOptions account, Func<string, string?> environment, TimeProvider time, ILoggerFactory loggers)
    {
        var key = environment(account.ApiKeyEnv ?? "")
            ?? throw new ConfigurationException([$"providers.{accountName}.apiKeyEnv: environment variable {account.ApiKeyEnv} is not set"]);
        return ProviderClientFactory.Create(accountName, account, key, time, loggers);
    }
}
