using UsageBatch.Configuration;

namespace UsageBatch.Tests.Configuration;

/// <summary>Every invalid-config case names its key path, so an operator knows which line of jobs.json to fix.</summary>
public sealed class ConfigValidatorTests
{
    private static AppOptions Valid() => new()
    {
        Database = { Provider = "sqlite", ConnectionString = "Data Source=usage.db" },
        Providers =
        {
            ["whop"] = new ProviderAccountOptions { Type = "whop", BaseUrl = "https://api.whop.com/api/v5", ApiKeyEnv = "WHOP_KEY" },
            ["chargebee"] = new ProviderAccountOptions { Type = "chargebee", Site = "acme-test", ApiKeyEnv = "CB_KEY" },
        },
        Jobs =
        {
            new JobOptions { Name = "whop-nightly", Provider = "whop", Cron = "0 15 3 * * ?" },
            new JobOptions { Name = "chargebee-nightly", Provider = "chargebee", Cron = "45 3 * * *", TimeZone = "Europe/Berlin" },
        },
    };

    // A fixed day far from any daylight-saving change: the warnings measure the time between two firings.
    private static readonly UsageBatch.Tests.TestSupport.ManualTimeProvider Clock = new(new DateTimeOffset(2026, 1, 15, 12, 0, 0, TimeSpan.Zero));

    private static string? Environment(string name) => name is "WHOP_KEY" or "CB_KEY" ? "secret-value" : null;

    [Fact]
    public void Validate_ValidConfigWithFiveFieldCron_HasNoErrors()
    {
        Assert.Empty(ConfigValidator.Validate(Valid(), Environment));
    }

    [Theory]
    [InlineData("unknown provider account", "jobs[0].provider: 'stripe' is not a provider account")]
    [InlineData("unknown provider type", "providers.whop.type: 'stripe' is not one of whop, chargebee")]
    [InlineData("unknown time zone", "jobs[1].timeZone: 'Mars/Olympus_Mons' is not a known IANA time zone")]
    [InlineData("missing key variable", "providers.whop.apiKeyEnv: environment variable NOT_SET_ANYWHERE is not set")]
    [InlineData("non-https remote url", "providers.whop.baseUrl: must be https")]
    [InlineData("duplicate job names", "jobs[1].name: 'whop-nightly' is used by another job")]
    [InlineData("job names differing in case", "jobs[1].name: 'Whop-Nightly' is used by another job (names are compared ignoring case")]
    [InlineData("job name too long", "jobs[0].name: 'jjjjjjjjjjjjjjjjjjjj…' has 201 characters; the ledger keeps 200")]
    [InlineData("account name too long", "providers.aaaaaaaa")]
    [InlineData("unknown misfire", "jobs[0].misfire: 'burst' is not one of catchUpOnce, skip")]
    [InlineData("unknown store", "scheduler.store: 'redis' is not one of sqlite, memory, sqlserver")]
    [InlineData("clustered sqlite", "scheduler.clustered: clustering needs store sqlserver")]
    [InlineData("sqlserver store without connection", "scheduler.connectionString: required for store sqlserver when database.provider is sqlite")]
    [InlineData("scheduler env not set", "scheduler.connectionStringEnv: environment variable QUARTZ_CS is not set")]
    [InlineData("zero misfire threshold", "scheduler.misfireThreshold: must be a positive duration")]
    [InlineData("zero shutdown timeout", "scheduler.shutdownTimeout: must be a positive duration")]
    [InlineData("empty instance id", "scheduler.instanceId: must not be empty")]
    [InlineData("zero retained days", "logging.retainedDays: must be at least 1")]
    [InlineData("sqlserver schema too long for its role", "database.schema: 'sssssssss")]
    [InlineData("unknown late usage policy", "jobs[1].lateUsage: 'later' is not one of hold, currentTerm, send")]
    public void Validate_InvalidValue_ErrorNamesTheKey(string scenario, string expected)
    {
        var options = Valid();
        Break(options, scenario);

        var errors = ConfigValidator.Validate(options, Environment);

        Assert.Contains(errors, e => e.StartsWith(expected, StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("0 15 3 * *  ?  ?")]
    [InlineData("0 61 3 * * ?")]
    [InlineData("every night")]
    [InlineData("61 3 * * *")] // 5-field Unix, minute out of range
    public void Validate_BadCron_ErrorNamesTheKeyAndCarriesQuartzParserMessage(string cron)
    {
        var options = Valid();
        options.Jobs[0].Cron = cron;

        var error = Assert.Single(ConfigValidator.Validate(options, Environment));

        var prefix = $"jobs[0].cron: '{cron}' is not a valid cron expression: ";
        Assert.StartsWith(prefix, error, StringComparison.Ordinal);
        Assert.True(error.Length > prefix.Length + 5, $"no parser message in: {error}");
    }

    [Fact]
    public void Validate_SecretValue_NeverAppearsInMessages()
    {
        var options = Valid();
        options.Providers["whop"].BaseUrl = "http://api.whop.com/api/v5";
        options.Jobs[0].Cron = "bad";

        var errors = ConfigValidator.Validate(options, Environment);

        Assert.NotEmpty(errors);
        Assert.DoesNotContain(errors, e => e.Contains("secret-value", StringComparison.Ordinal));
    }

    private static void Break(AppOptions options, string scenario)
    {
        switch (scenario)
        {
            case "unknown provider account": options.Jobs[0].Provider = "stripe"; break;
            case "job names differing in case": options.Jobs[1].Name = "Whop-Nightly"; break;
            case "job name too long": options.Jobs[0].Name = new string('j', 201); break;
            case "account name too long":
                options.Providers[new string('a', 201)] = options.Providers["whop"];
                break;
            case "unknown provider type": options.Providers["whop"].Type = "stripe"; break;
            case "unknown time zone": options.Jobs[1].TimeZone = "Mars/Olympus_Mons"; break;
            case "missing key variable": options.Providers["whop"].ApiKeyEnv = "NOT_SET_ANYWHERE"; break;
            case "non-https remote url": options.Providers["whop"].BaseUrl = "http://api.whop.com/api/v5"; break;
            case "duplicate job names": options.Jobs[1].Name = "whop-nightly"; break;
            case "unknown misfire": options.Jobs[0].Misfire = "burst"; break;
            case "unknown store": options.Scheduler.Store = "redis"; break;
            case "clustered sqlite": options.Scheduler.Clustered = true; break;
            case "sqlserver store without connection": options.Scheduler.Store = "sqlserver"; break;
            case "scheduler env not set": options.Scheduler.ConnectionStringEnv = "QUARTZ_CS"; break;
            case "zero misfire threshold": options.Scheduler.MisfireThreshold = TimeSpan.Zero; break;
            case "zero shutdown timeout": options.Scheduler.ShutdownTimeout = TimeSpan.Zero; break;
            case "empty instance id": options.Scheduler.InstanceId = " "; break;
            case "zero retained days": options.Logging.RetainedDays = 0; break;
            case "unknown late usage policy": options.Jobs[1].LateUsage = "later"; break;
            case "sqlserver schema too long for its role":
                options.Database.Provider = "sqlserver";
                options.Database.ConnectionString = "Server=db;Database=usage";
                options.Database.Schema = new string('s', ConfigValidator.MaxSchemaLength + 1);
                break;
            default: throw new ArgumentOutOfRangeException(nameof(scenario), scenario, null);
        }
    }

    [Fact]
    public void Warnings_ChargebeeJobWithoutPendingInvoiceWindow_SaysUsageAtTermEndIsSentAfterTheTermEnded()
    {
        var options = Valid();
        options.Jobs[1].TimeZone = "Etc/UTC"; // a day between runs whatever the date (no daylight saving)
        var warning = Assert.Single(ConfigValidator.Warnings(options, Clock));

        Assert.StartsWith("jobs[1] (chargebee-nightly): usage from the last 1 d 01 h of each term (settleDelay 1 h 00 min + 1 d 00 h between runs) is sent after the term has ended",
            warning, StringComparison.Ordinal);
        Assert.Contains("providers.chargebee.pendingInvoiceWindow", warning, StringComparison.Ordinal);
    }

    [Fact]
    public void Warnings_PendingWindowShorterThanTheExposure_SaysThatUsageWillBeLate_ALongerOneSaysNothing()
    {
        var options = Valid();
        options.Jobs[1].TimeZone = "Etc/UTC";
        options.Providers["chargebee"].PendingInvoiceWindow = TimeSpan.FromHours(12);
        var shortWindow = Assert.Single(ConfigValidator.Warnings(options, Clock));
        options.Providers["chargebee"].PendingInvoiceWindow = TimeSpan.FromDays(3);

        Assert.Contains("closes renewal invoices after 12 h 00 min: that usage will regularly be late", shortWindow, StringComparison.Ordinal);
        Assert.Empty(ConfigValidator.Warnings(options, Clock));
    }
}
