using System.Net;
using System.Net.Sockets;
using Microsoft.Data.SqlClient;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Quartz;
using UsageBatch.Cli;
using UsageBatch.Configuration;
using UsageBatch.Hosting;
using UsageBatch.Storage.SqlServer;

namespace UsageBatch.Tests.Storage.SqlServer;

/// <summary>
/// The whole connection path to SQL Server, with no server: a config whose server is a closed loopback port,
/// loaded and composed exactly as `run` does. The driver must get as far as the network; a culture or
/// configuration error on the way (globalization-invariant mode once made every connection fail) fails here.
/// </summary>
public sealed class SqlServerConnectionTests : IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "usagebatch-sqlconnect", Guid.NewGuid().ToString("N"));

    public SqlServerConnectionTests() => Directory.CreateDirectory(_folder);

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    internal static int ClosedLoopbackPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }

    internal static string ConfigFor(string connectionString) => $$"""
        {
          "database": { "provider": "sqlserver", "connectionString": "{{connectionString}}", "schema": "ub" },
          "providers": { "whop": { "type": "whop", "baseUrl": "http://127.0.0.1:1/api/v5", "apiKeyEnv": "WHOP_API_KEY", "currency": "USD" } },
          "jobs": [ { "name": "whop-nightly", "provider": "whop", "cron": "0 15 3 * * ?" } ],
          "scheduler": { "store": "memory" }
        }
        """;

    [Fact]
    public async Task Store_BuiltAsRunBuildsIt_ReachesTheNetwork_AndFailsWithSqlServersNetworkError()
    {
        var path = Path.Combine(_folder, "jobs.json");
        var port = ClosedLoopbackPort();
        await File.WriteAllTextAsync(path, ConfigFor($"Server=tcp:127.0.0.1,{port};Database=usagebatch;User ID=job;Password=not-a-secret;Connect Timeout=5"));
        var options = ConfigLoader.Load(path);
        var store = Composition.CreateStore(options, _ => null);

        var failure = await Record.ExceptionAsync(() => store.EnsureSchemaAsync(CancellationToken.None));

        var sql = Assert.IsType<SqlException>(failure);
        Assert.Contains("network-related or instance-specific error", sql.Message, StringComparison.Ordinal);
        Assert.Contains("was not found or was not accessible", sql.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("culture", sql.ToString(), StringComparison.OrdinalIgnoreCase);
    }

    [Theory]
    [InlineData("Server=db;Database=x;Integrated Security=true", "UsageBatch")]
    [InlineData("Server=db;Database=x;Application Name=Nightly billing", "Nightly billing")]
    [InlineData("Server=db;Database=x;App=billing-a", "billing-a")]
    public void ApplicationName_IsUsageBatch_UnlessTheConnectionStringNamesOne(string connectionString, string expected)
    {
        var database = new SqlServerDatabase(connectionString, "ub");

        Assert.Equal(expected, new SqlConnectionStringBuilder(database.ConnectionString).ApplicationName);
    }

    [Fact]
    public void Encryption_IsTheDriversDefault_On()
    {
        // SqlClient 4.0+ encrypts by default; the product never turns it off for the operator.
        var database = new SqlServerDatabase("Server=db;Database=x;Integrated Security=true", "ub");

        Assert.Equal(SqlConnectionEncryptOption.Mandatory, new SqlConnectionStringBuilder(database.ConnectionString).Encrypt);
    }

    [Fact]
    public void QuartzTables_AreQualifiedWithTheDatabaseSchema()
    {
        var path = Path.Combine(_folder, "jobs.json");
        File.WriteAllText(path, ConfigFor("Server=db;Database=x;Integrated Security=true").Replace("\"store\": \"memory\"", "\"store\": \"sqlserver\"", StringComparison.Ordinal));
        var options = ConfigLoader.Load(path);
        var services = new ServiceCollection();

        services.AddBillingScheduler(options, "Server=db;Database=x;Integrated Security=true");
        using var provider = services.BuildServiceProvider();
        var store = provider.GetRequiredService<IOptions<AdoJobStoreOptions>>().Value;

        Assert.Equal("[ub].QRTZ_", store.TablePrefix);
        Assert.Contains("[$(Schema)].QRTZ_JOB_DETAILS", UsageBatch.Storage.SchemaScripts.For("sqlserver").Single(s => s.Name == "003_quartz.sql").Text, StringComparison.Ordinal);
    }
}
