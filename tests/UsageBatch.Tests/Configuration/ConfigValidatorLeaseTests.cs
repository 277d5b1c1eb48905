using UsageBatch.Configuration;

namespace UsageBatch.Tests.Configuration;

/// <summary>
/// The lease must outlast a request's timeout plus the margin the sender keeps (10 s, a quarter of the lease when
/// shorter), so short test leases (the crash harness uses 3 s) are valid while real ones keep the full 10 s.
/// </summary>
public sealed class ConfigValidatorLeaseTests
{
    [Theory]
    [InlineData("00:00:03", "00:00:01.5", true)] // 1.5 s + 0.75 s < 3 s: what the reliability harness uses
    [InlineData("00:00:03", "00:00:02.5", false)] // 2.5 s + 0.75 s > 3 s
    [InlineData("00:05:00", "00:00:30", true)] // the defaults
    [InlineData("00:00:40", "00:00:30", false)] // 30 s + 10 s is not less than 40 s
    [InlineData("00:00:41", "00:00:30", true)]
    public void Validate_LeaseAgainstTimeout_AllowsTheSendersMargin(string lease, string timeout, bool valid)
    {
        var options = new AppOptions
        {
            Database = new DatabaseOptions { ConnectionString = "Data Source=x.db" },
            Providers = { ["whop"] = new ProviderAccountOptions { Type = "whop", ApiKeyEnv = "K", Timeout = TimeSpan.Parse(timeout, System.Globalization.CultureInfo.InvariantCulture) } },
            Jobs = { new JobOptions { Name = "j", Provider = "whop", Cron = "0 0 3 * * ?", LeaseDuration = TimeSpan.Parse(lease, System.Globalization.CultureInfo.InvariantCulture) } },
        };

        var errors = ConfigValidator.Validate(options, _ => "key");

        Assert.Equal(valid, !errors.Any(e => e.Contains("leaseDuration", StringComparison.Ordinal)));
    }
}
