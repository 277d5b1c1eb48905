using System.Text.Json.Nodes;
using UsageBatch.Billing;
using UsageBatch.Tests.TestSupport;

namespace UsageBatch.Tests.Configuration;

/// <summary>Every key bound or reported by its path, through `usagebatch validate` (the entry point an operator uses).</summary>
public sealed class StrictBindingTests : IDisposable
{
    private static readonly Dictionary<string, string> Keys = new() { ["WHOP_API_KEY"] = "k1", ["CHARGEBEE_API_KEY"] = "k2" };

    private readonly string _folder = Path.Combine(Path.GetTempPath(), "usagebatch-binding", Guid.NewGuid().ToString("N"));

    public StrictBindingTests() => Directory.CreateDirectory(_folder);

    private const string Valid = """
        {
          "database": { "provider": "sqlite", "connectionString": "Data Source=data/usagebatch.db" },
          "providers": {
            "whop": { "type": "whop", "apiKeyEnv": "WHOP_API_KEY", "currency": "USD" },
            "chargebee": { "type": "chargebee", "site": "acme-test", "apiKeyEnv": "CHARGEBEE_API_KEY" }
          },
          "jobs": [
            { "name": "whop-nightly", "provider": "whop", "cron": "0 15 3 * * ?" },
            { "name": "chargebee-nightly", "provider": "chargebee", "cron": "0 45 3 * * ?" }
          ],
          "scheduler": { "store": "sqlite" },
          "reports": { "directory": "reports" },
          "logging": { "directory": "logs" }
        }
        """;

    private string Write(Action<JsonObject>? change = null, string? text = null)
    {
        var json = JsonNode.Parse(Valid)!.AsObject();
        change?.Invoke(json);
        var path = Path.Combine(_folder, "jobs.json");
        File.WriteAllText(path, text ?? json.ToJsonString());
        return path;
    }

    private static JsonObject Job(JsonObject json, int i) => json["jobs"]![i]!.AsObject();

    private static async Task<CliRun.Result> ValidateAsync(string config) => await CliRun.InProcessAsync(Keys, "validate", "--config", config);

    [Fact]
    public async Task Validate_ValidConfiguration_ExitsZeroCreatingNothing()
    {
        var result = await ValidateAsync(Write());

        Assert.True(result.Exit == ExitCodes.Ok, result.All);
        Assert.Contains("(2 jobs, 2 provider accounts)", result.Output, StringComparison.Ordinal);
        Assert.False(Directory.Exists(Path.Combine(_folder, "data")), "validate creates no database");
    }

    [Theory]
    [InlineData("jobs[0].settleDelay: '1h' is not a duration; write hh:mm:ss, e.g. 01:00:00", "settleDelay", "1h")]
    [InlineData("jobs[0].batchSize: 'lots' is not a whole number", "batchSize", "lots")]
    [InlineData("jobs[0].enabled: 'no' is not true or false", "enabled", "no")]
    [InlineData("jobs[0].maxAmountPerSubmission: 'much' is not a decimal number", "maxAmountPerSubmission", "much")]
    public async Task Validate_WrongTypeInAJob_NamesKeyValueAndFormInsteadOfDroppingTheJob(string expected, string key, string value)
    {
        var result = await ValidateAsync(Write(j => Job(j, 0)[key] = value));

        Assert.Equal(ExitCodes.BadConfiguration, result.Exit);
        Assert.Contains(expected, result.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("valid (", result.Output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("providers", "whop", "maxInFlight", "four", "providers.whop.maxInFlight: 'four' is not a whole number")]
    [InlineData("scheduler", null, "shutdownTimeout", "30s", "scheduler.shutdownTimeout: '30s' is not a duration; write hh:mm:ss")]
    [InlineData("logging", null, "retainedDays", "thirty", "logging.retainedDays: 'thirty' is not a whole number")]
    [InlineData("scheduler", null, "clustered", "yes", "scheduler.clustered: 'yes' is not true or false")]
    [InlineData("providers", "chargebee", "timeout", "30", "providers.chargebee.timeout: '30' is not a duration")]
    public async Task Validate_WrongTypeInEachSection_NamesTheKeyPath(string section, string? entry, string key, string value, string expected)
    {
        var result = await ValidateAsync(Write(j => ((entry is null ? j[section] : j[section]![entry])!.AsObject())[key] = value));

        Assert.Equal(ExitCodes.BadConfiguration, result.Exit);
        Assert.Contains(expected, result.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("is not a provider account", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Validate_ObjectWhereAValueBelongs_AndValueWhereAListBelongs_AreErrors()
    {
        var result = await ValidateAsync(Write(j =>
        {
            j["reports"]!["directory"] = new JsonObject { ["x"] = 1 };
            j["providers"]!["chargebee"]!["suppress"] = "webhooks";
            j["jobs"] = "all";
        }));

        Assert.Equal(ExitCodes.BadConfiguration, result.Exit);
        Assert.Contains("reports.directory: is an object or a list; expected text", result.Error, StringComparison.Ordinal);
        Assert.Contains("providers.chargebee.suppress: 'webhooks' is a single value; expected a list", result.Error, StringComparison.Ordinal);
        Assert.Contains("jobs: 'all' is a single value; expected a list", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Validate_UnknownKeys_AreErrorsNamingTheClosestKnownKey()
    {
        var result = await ValidateAsync(Write(j =>
        {
            j["providers"]!["whop"]!["requestPerWindow"] = 2;
            Job(j, 1)["buckt"] = "hour";
            j["schedular"] = new JsonObject();
        }));

        Assert.Equal(ExitCodes.BadConfiguration, result.Exit);
        Assert.Contains("providers.whop.requestPerWindow: unknown key; did you mean 'requestsPerWindow'?", result.Error, StringComparison.Ordinal);
        Assert.Contains("jobs[1].buckt: unknown key; did you mean 'bucket'?", result.Error, StringComparison.Ordinal);
        Assert.Contains("schedular: unknown key; did you mean 'scheduler'?", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Validate_SyntaxError_NamesLineAndColumn()
    {
        var text = Valid.Replace("\"sqlite\", \"connectionString\"", "\"sqlite\" \"connectionString\"", StringComparison.Ordinal);

        var result = await ValidateAsync(Write(text: text));

        Assert.Equal(ExitCodes.BadConfiguration, result.Exit);
        Assert.Contains("is not valid JSON at line 2, column 38", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Validate_MissingDatabaseFile_IsAnErrorNamingTheCommandThatCreatesIt()
    {
        var result = await ValidateAsync(Write(j => j["database"]!["connectionString"] = "Data Source=dta/usagebatch.db"));

        Assert.Equal(ExitCodes.BadConfiguration, result.Exit);
        Assert.Contains("database.connectionString: database file", result.Error, StringComparison.Ordinal);
        Assert.Contains("`usagebatch db init` creates it", result.Error, StringComparison.Ordinal);
        Assert.False(Directory.Exists(Path.Combine(_folder, "dta")));
    }

    [Fact]
    public async Task StatusAndRun_OnAPathThatCannotExist_ExitTwoWithoutCreatingIt()
    {
        var config = Write(j => j["database"]!["connectionString"] = $"Data Source={Path.Combine(_folder, "a-file", "sub", "usagebatch.db")}");
        File.WriteAllText(Path.Combine(_folder, "a-file"), "not a folder");

        var status = await CliRun.InProcessAsync(Keys, "status", "--config", config);
        var run = await CliRun.InProcessAsync(Keys, "run", "--config", config);
        var init = await CliRun.InProcessAsync(Keys, "db", "init", "--config", config);

        Assert.Equal((ExitCodes.BadConfiguration, ExitCodes.BadConfiguration), (status.Exit, run.Exit));
        Assert.Contains("does not exist; `usagebatch db init` creates it", status.Error, StringComparison.Ordinal);
        Assert.Contains("does not exist; `usagebatch db init` creates it", run.Error, StringComparison.Ordinal);
        Assert.Equal(ExitCodes.BadConfiguration, init.Exit);
        Assert.Contains("database.connectionString: cannot create the folder", init.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Validate_SqliteThroughConnectionStringEnv_ReadsTheSameDatabaseRunUses()
    {
        var config = Write(j => j["database"] = new JsonObject { ["provider"] = "sqlite", ["connectionStringEnv"] = "UB_TEST_DB" });
        var environment = new Dictionary<string, string>(Keys) { ["UB_TEST_DB"] = "Data Source=elsewhere/ub.db" };
        var before = await CliRun.InProcessAsync(environment, "validate", "--config", config);
        Assert.Equal(ExitCodes.BadConfiguration, before.Exit);
        Assert.Contains("database.connectionStringEnv (UB_TEST_DB): database file", before.Error, StringComparison.Ordinal);

        Assert.Equal(ExitCodes.Ok, (await CliRun.InProcessAsync(environment, "db", "init", "--config", config)).Exit);
        var after = await CliRun.InProcessAsync(environment, "validate", "--config", config);

        Assert.True(after.Exit == ExitCodes.Ok, after.All);
        Assert.Contains("database: reachable (sqlite, schema version", after.Output, StringComparison.Ordinal);
        Assert.True(File.Exists(Path.Combine(_folder, "elsewhere", "ub.db")));
    }

    [Fact]
    public async Task Binary_EnvironmentOverrideWithAWrongType_IsCheckedAndNamesTheVariable()
    {
        var config = Write();
        var environment = new Dictionary<string, string>(Keys) { ["JOBS__0__SETTLEDELAY"] = "1h", ["JOBS__1__BUCKT"] = "hour" };

        var result = await CliRun.BinaryAsync(environment, "validate", "--config", config);

        Assert.Equal(ExitCodes.BadConfiguration, result.Exit);
        Assert.Contains("jobs[0].settleDelay: '1h' is not a duration; write hh:mm:ss, e.g. 01:00:00", result.Error, StringComparison.Ordinal);
        Assert.Contains("(from environment variable JOBS__0__SETTLEDELAY)", result.Error, StringComparison.Ordinal);
        Assert.Contains("unknown key; did you mean 'bucket'? (from environment variable JOBS__1__BUCKT)", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Binary_EnvironmentOverrideWithAGoodValue_IsApplied()
    {
        var config = Write();
        var environment = new Dictionary<string, string>(Keys) { ["JOBS__0__ENABLED"] = "false" };

        Assert.Equal(ExitCodes.Ok, (await CliRun.BinaryAsync(environment, "db", "init", "--config", config)).Exit);
        var status = await CliRun.BinaryAsync(environment, "status", "--config", config);

        Assert.True(status.Exit == ExitCodes.Ok, status.All);
        Assert.Contains("whop-nightly (whop_usage) [disabled]", status.Output, StringComparison.Ordinal);
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
