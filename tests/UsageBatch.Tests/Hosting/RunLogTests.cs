using System.Text.RegularExpressions;
using Microsoft.Extensions.Logging;
using UsageBatch.Billing;
using UsageBatch.Cli;
using UsageBatch.Providers;
using UsageBatch.Tests.Billing;
using UsageBatch.Tests.TestSupport;

namespace UsageBatch.Tests.Hosting;

/// <summary>What an operator finds in the log file: every line of a run findable by Job, RunId and Provider.</summary>
public sealed partial class RunLogTests : IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "usagebatch-runlog", Guid.NewGuid().ToString("N"));

    public RunLogTests() => Directory.CreateDirectory(_folder);

    [GeneratedRegex("^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}\\.\\d{3}Z \\[")]
    private static partial Regex UtcLineStart();

    [Fact]
    public async Task Demo_EveryRunLineCarriesJobRunIdAndProvider_InUtc_AndSubmissionLinesTheirId()
    {
        var config = Path.Combine(_folder, "jobs.json");
        await File.WriteAllTextAsync(config, """
            {
              "providers": {
                "whop": { "type": "whop", "apiKeyEnv": "WHOP_API_KEY", "currency": "USD" },
                "chargebee": { "type": "chargebee", "site": "acme-test", "apiKeyEnv": "CHARGEBEE_API_KEY" }
              },
              "jobs": [
                { "name": "whop-nightly", "provider": "whop", "cron": "0 15 3 * * ?" },
                { "name": "chargebee-nightly", "provider": "chargebee", "cron": "0 45 3 * * ?" }
              ]
            }
            """);

        var demo = await CliRun.InProcessAsync(null, "demo", "--config", config);
        Assert.True(demo.Exit == ExitCodes.Ok, demo.All);
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();

        var lines = (await File.ReadAllLinesAsync(Assert.Single(Directory.GetFiles(Path.Combine(_folder, "logs"))))).Where(l => l.Length > 0).ToList();
        Assert.NotEmpty(lines);
        foreach (var line in lines)
        {
            Assert.Matches(UtcLineStart(), line);
            Assert.Matches("\"Job\": ?\"(whop|chargebee)-nightly\", ?\"RunId\": ?\\d+, ?\"Provider\": ?\"(whop|chargebee)\"", line);
        }

        Assert.Contains(lines, l => l.Contains("Run finished", StringComparison.Ordinal) && l.Contains("amount 1615.76 USD, quantity 23758 units", StringComparison.Ordinal));
        Assert.All(lines.Where(l => l.Contains(" submission ", StringComparison.Ordinal)), l => Assert.Matches("\"SubmissionId\": ?\\d+", l));
    }

    [Fact]
    public async Task Recovery_NamesTheDeadRunThatLeftTheSubmission()
    {
        await using var h = await BillingHarness.StartAsync();
        await CrashRecoveryTests.SeedAsync(h, ProviderKind.Whop);
        var job = BillingHarness.Job(ProviderKind.Whop);
        var account = h.Account(ProviderKind.Whop);
        var crashing = new CrashingStore(h.Store, nameof(UsageBatch.Storage.IBillingStore.MarkSentAsync));
        var dead = await h.Run(job, account, store: crashing).ExecuteAsync(DateTimeOffset.UtcNow, CancellationToken.None);
        var later = h.PassTime(job.LeaseDuration + TimeSpan.FromMinutes(1));
        var capture = new CapturingLoggerProvider();

        var recovery = await new BillingRun(h.Store, h.Provider(account, later), job, account, later, capture.CreateLogger("UsageBatch.Run"), new RunOptions())
            .ExecuteAsync(later.GetUtcNow(), CancellationToken.None);

        Assert.NotEqual(dead.RunId, recovery.RunId);
        var line = Assert.Single(capture.Lines, l => l.Contains("Recovering submission", StringComparison.Ordinal) && l.Contains(" 1 left", StringComparison.Ordinal));
        Assert.Contains($"by run {dead.RunId}", line, StringComparison.Ordinal);
    }

    [Fact]
    public void WarningDigest_ManyOfTheSameWarning_LogsAFewAndOneSummaryLine()
    {
        var capture = new CapturingLoggerProvider();
        var digest = new WarningDigest(capture);
        var logger = digest.CreateLogger("UsageBatch.Providers.Whop.WhopProvider");

        for (var i = 0; i < 300; i++)
        {
            logger.LogWarning("whop throttled submission {Submission}", i);
        }

        logger.LogError("an error is always logged {N}", 1);
        digest.Summarize(capture.CreateLogger("UsageBatch.Run"));

        Assert.Equal(5, capture.Lines.Count(l => l.Contains("whop throttled submission", StringComparison.Ordinal) && !l.Contains("more warnings", StringComparison.Ordinal)));
        Assert.Single(capture.Lines, l => l.Contains("295 more warnings like \"whop throttled submission {Submission}\"", StringComparison.Ordinal));
        Assert.Single(capture.Lines, l => l.Contains("an error is always logged", StringComparison.Ordinal));
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
