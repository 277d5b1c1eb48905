using UsageBatch.Billing;
using UsageBatch.Tests.TestSupport;

namespace UsageBatch.Tests.Cli;

/// <summary>Every verb answers the same failure the same way: one line, the same exit code, no stack trace.</summary>
public sealed class VerbFailureTests : IDisposable
{
    private static readonly Dictionary<string, string> Keys = new() { ["WHOP_API_KEY"] = "k1", ["CHARGEBEE_API_KEY"] = "k2" };

    private readonly string _folder = Path.Combine(Path.GetTempPath(), "usagebatch-verbs", Guid.NewGuid().ToString("N"));

    public VerbFailureTests() => Directory.CreateDirectory(_folder);

    private string Config(string database = "Data Source=data/usagebatch.db", string provider = "sqlite")
    {
        var path = Path.Combine(_folder, "jobs.json");
        File.WriteAllText(path, $$"""
            {
              "database": { "provider": "{{provider}}", "connectionString": "{{database}}", "schema": "ub" },
              "providers": {
                "whop": { "type": "whop", "baseUrl": "http://127.0.0.1:9/api/v5", "apiKeyEnv": "WHOP_API_KEY", "currency": "USD" },
                "chargebee": { "type": "chargebee", "baseUrl": "http://127.0.0.1:9/api/v2", "apiKeyEnv": "CHARGEBEE_API_KEY" }
              },
              "jobs": [
                { "name": "whop-nightly", "provider": "whop", "cron": "0 15 3 * * ?" },
                { "name": "chargebee-nightly", "provider": "chargebee", "cron": "0 45 3 * * ?" }
              ],
              "scheduler": { "store": "memory" }
            }
            """);
        return path;
    }

    public static TheoryData<string[]> EveryVerb => new()
    {
        new[] { "validate" }, new[] { "status" }, new[] { "run" }, new[] { "run", "--dry-run" }, new[] { "db", "init" },
        new[] { "requeue", "--submission", "1" }, new[] { "report", "--last" }, new[] { "serve" }, new[] { "console" },
        new[] { "reconcile", "--job", "whop-nightly", "--from", "2026-11-01", "--to", "2026-11-02" },
    };

    [Theory]
    [MemberData(nameof(EveryVerb))]
    public async Task EveryVerb_DatabaseUnreachable_OneLineExitThreeNoStackTrace(string[] verb)
    {
        var config = Config();
        Directory.CreateDirectory(Path.Combine(_folder, "data"));
        await File.WriteAllTextAsync(Path.Combine(_folder, "data", "usagebatch.db"), new string('x', 4096)); // not a database

        var result = await CliRun.InProcessAsync(Keys, [.. verb, "--config", config]);

        Assert.True(result.Exit == ExitCodes.Aborted, result.All);
        Assert.StartsWith("usagebatch: database unreachable (database.connectionString): SQLite Error 26: 'file is not a database'", result.Error, StringComparison.Ordinal);
        Assert.Single(result.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.DoesNotContain("   at ", result.All, StringComparison.Ordinal);
        var log = Assert.Single(Directory.GetFiles(Path.Combine(_folder, "logs")));
        Assert.Contains("SqliteException", await ReadSharedAsync(log), StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(EveryVerb))]
    public async Task EveryVerb_SqlServerNotReachable_OneLineNamingTheSettingAndTheNetworkReason_ExitThree(string[] verb)
    {
        // A closed loopback port: the driver gets as far as the network (no culture or configuration error on the way).
        // The refusal comes at once; a generous Connect Timeout keeps a loaded machine (the whole suite on 2 cores)
        // from turning it into a timeout message, which failed this test once with a 3 s timeout.
        var port = Storage.SqlServer.SqlServerConnectionTests.ClosedLoopbackPort();
        var config = Config($"Server=tcp:127.0.0.1,{port};Database=usagebatch;User ID=job;Password=not-a-secret;Connect Timeout=15", provider: "sqlserver");

        var result = await CliRun.InProcessAsync(Keys, [.. verb, "--config", config]);

        Assert.True(result.Exit == ExitCodes.Aborted, result.All);
        Assert.StartsWith("usagebatch: database unreachable (database.connectionString): A network-related or instance-specific error", result.Error, StringComparison.Ordinal);
        Assert.Contains("was not found or was not accessible", result.Error, StringComparison.Ordinal);
        Assert.Single(result.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.DoesNotContain("   at ", result.All, StringComparison.Ordinal);
        Assert.DoesNotContain("not-a-secret", result.All, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SqlServerNotReachable_ThroughAnEnvironmentVariable_NamesTheVariable()
    {
        var port = Storage.SqlServer.SqlServerConnectionTests.ClosedLoopbackPort();
        var config = Config("unused", provider: "sqlserver");
        await File.WriteAllTextAsync(config, (await File.ReadAllTextAsync(config)).Replace("\"connectionString\": \"unused\"", "\"connectionStringEnv\": \"UB_TEST_DB\"", StringComparison.Ordinal));
        var environment = new Dictionary<string, string>(Keys) { ["UB_TEST_DB"] = $"Server=tcp:127.0.0.1,{port};Database=x;User ID=job;Password=p;Connect Timeout=15" };

        var result = await CliRun.InProcessAsync(environment, "status", "--config", config);

        Assert.Equal(ExitCodes.Aborted, result.Exit);
        Assert.StartsWith("usagebatch: database unreachable (database.connectionStringEnv: environment variable UB_TEST_DB): A network-related", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Binary_UnexpectedFailure_KeepsTheStackTraceOffTheTerminal()
    {
        var config = Config();
        Directory.CreateDirectory(Path.Combine(_folder, "data"));
        await File.WriteAllTextAsync(Path.Combine(_folder, "data", "usagebatch.db"), new string('x', 4096));

        var result = await CliRun.BinaryAsync(Keys, "status", "--config", config);

        Assert.Equal(ExitCodes.Aborted, result.Exit);
        Assert.DoesNotContain("Unhandled exception", result.All, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", result.All, StringComparison.Ordinal);
        Assert.Contains("details in the log under", result.Error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("run")]
    [InlineData("reconcile")]
    [InlineData("report")]
    public async Task Job_UnknownName_ListsTheJobNames(string verb)
    {
        var config = Config();
        Assert.Equal(ExitCodes.Ok, (await CliRun.InProcessAsync(Keys, "db", "init", "--config", config)).Exit);
        string[] args = verb switch
        {
            "run" => ["run", "--job", "nope", "--config", config],
            "report" => ["report", "--last", "--job", "nope", "--config", config],
            _ => ["reconcile", "--job", "nope", "--from", "2026-11-01", "--to", "2026-11-02", "--config", config],
        };

        var result = await CliRun.InProcessAsync(Keys, args);

        Assert.Equal(ExitCodes.BadConfiguration, result.Exit);
        Assert.Contains("no job named 'nope'", result.Error, StringComparison.Ordinal);
        Assert.Contains("its jobs are: whop-nightly, chargebee-nightly", result.Error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("requeue", "--row", "abc", "--row: 'abc' is not a row id; a row id is a whole number")]
    [InlineData("requeue", "--submission", "-3", "--submission: '-3' is not a submission id; a submission id is a whole number")]
    [InlineData("report", "--run", "x", "--run: 'x' is not a run id; a run id is a whole number")]
    [InlineData("requeue", "--table", "usage", "whop_usage")]
    public async Task BadArgument_ExitsTwoSayingWhatIsValid(string verb, string option, string value, string expected)
    {
        var result = await CliRun.InProcessAsync(Keys, verb, option, value, "--config", Config());

        Assert.Equal(ExitCodes.BadConfiguration, result.Exit);
        Assert.Contains(expected, result.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("System.Nullable", result.Error, StringComparison.Ordinal);
        Assert.Contains($"`usagebatch help {verb}`", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Help_ListsEveryVerb_AndEachVerbsHelpShowsItsExitCodes()
    {
        var help = await CliRun.InProcessAsync(null, "help");
        Assert.Equal(ExitCodes.Ok, help.Exit);
        foreach (var verb in new[] { "serve", "run", "demo", "validate", "status", "db", "requeue", "report", "reconcile" })
        {
            Assert.Contains($"  {verb} ", help.Output, StringComparison.Ordinal);
            var own = await CliRun.InProcessAsync(null, verb, "--help");
            Assert.True(own.Exit == ExitCodes.Ok, verb + own.All);
            Assert.Contains(verb == "db" ? "init" : "Exit codes: 0", own.Output, StringComparison.Ordinal);
        }

        var run = await CliRun.InProcessAsync(null, "help", "run");
        Assert.Contains("4 another run of the same job holds its lease", run.Output, StringComparison.Ordinal);
        Assert.Contains("Exit codes: 0 done", (await CliRun.InProcessAsync(null, "db", "init", "--help")).Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_ChargebeeJobOnly_DoesNotNeedTheWhopKey()
    {
        var config = Config();
        var onlyChargebee = new Dictionary<string, string> { ["CHARGEBEE_API_KEY"] = "k2" };

        var chargebee = await CliRun.InProcessAsync(onlyChargebee, "run", "--job", "chargebee-nightly", "--dry-run", "--config", config);
        var whop = await CliRun.InProcessAsync(onlyChargebee, "run", "--job", "whop-nightly", "--dry-run", "--config", config);

        Assert.True(chargebee.Exit == ExitCodes.Ok, chargebee.All);
        Assert.DoesNotContain("WHOP_API_KEY", chargebee.All, StringComparison.Ordinal);
        Assert.Equal(ExitCodes.BadConfiguration, whop.Exit);
        Assert.Contains("providers.whop.apiKeyEnv: environment variable WHOP_API_KEY is not set", whop.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task DryRun_OnAFreshFolder_CreatesNoDatabase()
    {
        var result = await CliRun.InProcessAsync(Keys, "run", "--dry-run", "--config", Config());

        Assert.True(result.Exit == ExitCodes.Ok, result.All);
        Assert.Contains("does not exist yet; a real run creates it empty", result.Output, StringComparison.Ordinal);
        Assert.False(Directory.Exists(Path.Combine(_folder, "data")));
    }

    [Fact]
    public async Task Run_OnAMistypedPath_IsAnErrorNotAnEmptyNewDatabase()
    {
        var result = await CliRun.InProcessAsync(Keys, "run", "--config", Config("Data Source=dta/usagebatch.db"));

        Assert.Equal(ExitCodes.BadConfiguration, result.Exit);
        Assert.Contains("does not exist; `usagebatch db init` creates it", result.Error, StringComparison.Ordinal);
        Assert.False(Directory.Exists(Path.Combine(_folder, "dta")));
    }

    private static async Task<string> ReadSharedAsync(string path)
    {
        await using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        using var reader = new StreamReader(stream);
        return await reader.ReadToEndAsync();
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
