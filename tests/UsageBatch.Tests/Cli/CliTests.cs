using UsageBatch.Billing;
using UsageBatch.Cli;

namespace UsageBatch.Tests.Cli;

public sealed class CliTests : IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "usagebatch-cli", Guid.NewGuid().ToString("N"));

    public CliTests() => Directory.CreateDirectory(_folder);

    private string WriteConfig(string json)
    {
        var path = Path.Combine(_folder, "jobs.json");
        File.WriteAllText(path, json);
        return path;
    }

    private static string RepositoryJobsJson()
    {
        var folder = AppContext.BaseDirectory;
        while (!File.Exists(Path.Combine(folder, "UsageBatch.sln")))
        {
            folder = Path.GetDirectoryName(folder) ?? throw new InvalidOperationException("repository root not found");
        }

        return File.ReadAllText(Path.Combine(folder, "jobs.json"));
    }

    private static async Task<(int Exit, string Output, string Error)> RunAsync(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var exit = await CliApp.RunAsync(args, output, error, _ => null);
        return (exit, output.ToString(), error.ToString());
    }

    [Fact]
    public async Task Demo_OnTheCommittedConfig_BillsEverythingAndSecondRunBillsNothingNew()
    {
        var config = WriteConfig(RepositoryJobsJson());

        var first = await RunAsync("demo", "--config", config);
        var second = await RunAsync("demo", "--config", config);

        Assert.True(first.Exit == ExitCodes.Ok, first.Output + first.Error);
        Assert.Contains("control check PASS", first.Output, StringComparison.Ordinal);
        Assert.True(File.Exists(Path.Combine(_folder, "data", "usagebatch.db")), "the database is created next to the config");
        Assert.Equal(ExitCodes.Ok, second.Exit);
        Assert.Contains("nothing to bill", second.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_WithoutApiKeys_ExitsTwoNamingTheVariable()
    {
        var config = WriteConfig(RepositoryJobsJson());

        var (exit, _, error) = await RunAsync("run", "--config", config);

        Assert.Equal(ExitCodes.BadConfiguration, exit);
        Assert.Contains("providers.whop.apiKeyEnv: environment variable WHOP_API_KEY is not set", error, StringComparison.Ordinal);
        Assert.Contains("providers.chargebee.apiKeyEnv: environment variable CHARGEBEE_API_KEY is not set", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Validate_BadConfiguration_ListsEveryProblemByKeyPath()
    {
        var config = WriteConfig("""
            {
              "database": { "provider": "oracle", "connectionString": "x" },
              "providers": { "w": { "type": "whop", "baseUrl": "http://api.example.com/api/v5", "apiKeyEnv": "K" } },
              "jobs": [
                { "name": "a", "provider": "nope", "cron": "not a cron", "timeZone": "Mars/Base", "bucket": "week" },
                { "name": "a", "provider": "w", "cron": "0 3 * * *" }
              ]
            }
            """);

        var (exit, _, error) = await RunAsync("validate", "--config", config);

        Assert.Equal(ExitCodes.BadConfiguration, exit);
        foreach (var expected in new[]
                 {
                     "database.provider: 'oracle'", "providers.w.baseUrl: must be https", "providers.w.apiKeyEnv: environment variable K",
                     "jobs[0].provider: 'nope'", "jobs[0].cron: 'not a cron'", "jobs[0].timeZone: 'Mars/Base'", "jobs[0].bucket: 'week'",
                     "jobs[1].name: 'a' is used by another job",
                 })
        {
            Assert.Contains(expected, error, StringComparison.Ordinal);
        }

        Assert.DoesNotContain("jobs[1].cron", error, StringComparison.Ordinal); // 5-field Unix cron is accepted
    }

    [Fact]
    public async Task Requeue_WithoutRowOrSubmission_ExitsTwo()
    {
        var (exit, _, error) = await RunAsync("requeue", "--config", WriteConfig(RepositoryJobsJson()));
        Assert.Equal(ExitCodes.BadConfiguration, exit);
        Assert.Contains("exactly one of --row ID or --submission ID", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task UnknownVerbOrOption_ExitsTwo()
    {
        Assert.Equal(ExitCodes.BadConfiguration, (await RunAsync("frobnicate")).Exit);
        Assert.Equal(ExitCodes.BadConfiguration, (await RunAsync("run", "--bogus")).Exit);
    }

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try
        {
            Directory.Delete(_folder, recursive: true);
        }
        catch (IOException)
        {
            // a leftover temp folder is harmless
        }
    }
}
