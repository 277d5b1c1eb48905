using Microsoft.Extensions.Hosting;
using UsageBatch.Storage;
using UsageBatch.Configuration;
using UsageBatch.Hosting;
using UsageBatch.Storage.Sqlite;

namespace UsageBatch.Tests.Hosting;

/// <summary>A temp folder with options for one job, and `serve` hosts built on it with a recording executor.</summary>
internal sealed class HostFixture : IDisposable
{
    public HostFixture(string cron, string store = "memory", string misfire = "catchUpOnce")
    {
        Folder = Path.Combine(Path.GetTempPath(), "usagebatch-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Folder);
        Options = new AppOptions
        {
            BaseDirectory = Folder,
            Database = { Provider = "sqlite", ConnectionString = $"Data Source={Path.Combine(Folder, "usage.db")}" },
            Providers = { ["whop"] = new ProviderAccountOptions { Type = "whop", BaseUrl = "http://127.0.0.1:9/api/v5", ApiKeyEnv = "TEST_KEY" } },
            Jobs = { new JobOptions { Name = "job-a", Provider = "whop", Cron = cron, Misfire = misfire } },
            Scheduler = { Store = store, MisfireThreshold = TimeSpan.FromMilliseconds(500), ShutdownTimeout = TimeSpan.FromSeconds(10) },
            Logging = { Directory = Path.Combine(Folder, "logs") },
            Reports = { Directory = Path.Combine(Folder, "reports") },
        };
    }

    public string Folder { get; }

    public AppOptions Options { get; }

    public IHost Build(IJobExecutor executor) =>
        ServeHost.Build(Options, new BillingStore(new SqliteDialect(new SqliteDatabase(Options.Database.ConnectionString!))),
            UsageBatch.Cli.Composition.SchedulerConnectionString(Options, _ => null), Serilog.Core.Logger.None, _ => executor);

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try
        {
            Directory.Delete(Folder, recursive: true);
        }
        catch (IOException)
        {
            // A leftover temp folder is harmless.
        }
    }
}
