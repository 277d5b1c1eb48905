using UsageBatch.Configuration;

namespace UsageBatch.Tests.Configuration;

/// <summary>`serve`'s shutdown wait must cover a request already written (the account's timeout) plus settling.</summary>
public sealed class ShutdownBudgetTests
{
    [Theory]
    [InlineData(null, "00:00:30", true, "00:01:00")]      // unset: the longest timeout plus 30 s of settling
    [InlineData(null, "00:01:30", true, "00:02:00")]
    [InlineData("00:00:30", "00:00:30", false, "00:00:30")] // the old default no longer fits the default timeout
    [InlineData("00:01:00", "00:00:30", true, "00:01:00")]
    [InlineData("00:00:59", "00:00:30", false, "00:00:59")]
    public void Validate_ShutdownTimeoutAgainstTheLongestRequest(string? shutdown, string timeout, bool valid, string effective)
    {
        var inv = System.Globalization.CultureInfo.InvariantCulture;
        var options = new AppOptions
        {
            Database = new DatabaseOptions { ConnectionString = "Data Source=x.db" },
            Providers =
            {
                ["whop"] = new ProviderAccountOptions { Type = "whop", ApiKeyEnv = "K", Timeout = TimeSpan.FromSeconds(5) },
                ["chargebee"] = new ProviderAccountOptions { Type = "chargebee", Site = "acme", ApiKeyEnv = "K", Timeout = TimeSpan.Parse(timeout, inv) },
            },
            Jobs =
            {
                new JobOptions { Name = "w", Provider = "whop", Cron = "0 0 3 * * ?" },
                new JobOptions { Name = "c", Provider = "chargebee", Cron = "0 0 4 * * ?", LeaseDuration = TimeSpan.FromMinutes(10) },
            },
            Scheduler = { ShutdownTimeout = shutdown is null ? null : TimeSpan.Parse(shutdown, inv) },
        };

        var errors = ConfigValidator.Validate(options, _ => "key").Where(e => e.StartsWith("scheduler.shutdownTimeout", StringComparison.Ordinal)).ToList();

        Assert.Equal(valid, errors.Count == 0);
        Assert.All(errors, e => Assert.Contains("plus 00:00:30 for settling; set at least", e, StringComparison.Ordinal));
        Assert.Equal(TimeSpan.Parse(effective, inv), ShutdownBudget.Effective(options));
    }

    [Fact]
    public void Validate_ReportsRetainedDaysBelowOne_IsAnErrorNamingTheKey()
    {
        var options = new AppOptions
        {
            Database = new DatabaseOptions { ConnectionString = "Data Source=x.db" },
            Providers = { ["whop"] = new ProviderAccountOptions { Type = "whop", ApiKeyEnv = "K" } },
            Jobs = { new JobOptions { Name = "w", Provider = "whop", Cron = "0 0 3 * * ?" } },
            Reports = { RetainedDays = 0 },
        };

        Assert.Contains(ConfigValidator.Validate(options, _ => "key"), e => e.StartsWith("reports.retainedDays: must be at least 1", StringComparison.Ordinal));
    }
}
