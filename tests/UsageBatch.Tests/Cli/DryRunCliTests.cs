using Microsoft.Data.Sqlite;
using UsageBatch.Billing;
using UsageBatch.Tests.TestSupport;

namespace UsageBatch.Tests.Cli;

/// <summary>`run --dry-run` predicts the real run: re-queued billed rows held, rejected rows named, nothing written.</summary>
public sealed class DryRunCliTests : IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "usagebatch-dryrun", Guid.NewGuid().ToString("N"));

    public DryRunCliTests() => Directory.CreateDirectory(_folder);

    [Fact]
    public async Task DryRun_BilledRowSetBackToPending_IsShownHeldAndABadRowIsNamed_AndNothingChanges()
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
        var keys = new Dictionary<string, string> { ["WHOP_API_KEY"] = "k1", ["CHARGEBEE_API_KEY"] = "k2" };
        var demo = await CliRun.InProcessAsync(keys, "demo", "--config", config);
        Assert.True(demo.Exit == ExitCodes.Ok, demo.All);
        var database = Path.Combine(_folder, "data", "usagebatch.db");
        long runsBefore;
        await using (var connection = new SqliteConnection($"Data Source={database};Pooling=False"))
        {
            await connection.OpenAsync();
            await using var command = connection.CreateCommand();
            command.CommandText = """
                UPDATE whop_usage SET billing_status = 'pending' WHERE id = 1;
                UPDATE whop_usage SET billing_status = 'pending', amount = '12,50x' WHERE source_key = 'demo-whop-bad-amount';
                SELECT COUNT(*) FROM ub_run;
                """;
            runsBefore = (long)(await command.ExecuteScalarAsync())!;
        }

        var dry = await CliRun.InProcessAsync(keys, "run", "--dry-run", "--job", "whop-nightly", "--config", config);

        Assert.True(dry.Exit == ExitCodes.Ok, dry.All);
        Assert.Contains("1 re-queued rows held", dry.Output, StringComparison.Ordinal);
        Assert.Contains("would hold row 1 (source_key demo-whop-00000): re-queued, but its submission", dry.Output, StringComparison.Ordinal);
        Assert.Contains("run `usagebatch requeue --table whop_usage --row 1` to check the provider", dry.Output, StringComparison.Ordinal);
        Assert.Contains("would reject row", dry.Output, StringComparison.Ordinal);
        Assert.Contains("(source_key demo-whop-bad-amount): amount '12,50x' is not a plain decimal", dry.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("would send", dry.Output, StringComparison.Ordinal);
        await using (var connection = new SqliteConnection($"Data Source={database};Pooling=False"))
        {
            await connection.OpenAsync();
            await using var command = connection.CreateCommand();
            command.CommandText = "SELECT (SELECT COUNT(*) FROM ub_run), (SELECT COUNT(*) FROM whop_usage WHERE billing_status = 'pending')";
            await using var reader = await command.ExecuteReaderAsync();
            await reader.ReadAsync();
            Assert.Equal((runsBefore, 2L), (reader.GetInt64(0), reader.GetInt64(1)));
        }
    }

    [Fact]
    public async Task DryRun_OnAnOlderSchema_ChangesNothingAndSaysWhichCommandUpgrades()
    {
        var config = Path.Combine(_folder, "jobs.json");
        await File.WriteAllTextAsync(config, """
            { "providers": { "whop": { "type": "whop", "apiKeyEnv": "WHOP_API_KEY" } },
              "jobs": [ { "name": "w", "provider": "whop", "cron": "0 15 3 * * ?" } ] }
            """);
        Directory.CreateDirectory(Path.Combine(_folder, "data"));
        var database = Path.Combine(_folder, "data", "usagebatch.db");
        await using (var connection = new SqliteConnection($"Data Source={database};Pooling=False"))
        {
            await connection.OpenAsync(); // an empty file: schema version 0
            await using var command = connection.CreateCommand();
            command.CommandText = "CREATE TABLE unrelated (x INTEGER);";
            await command.ExecuteNonQueryAsync();
        }

        var dry = await CliRun.InProcessAsync(new Dictionary<string, string> { ["WHOP_API_KEY"] = "k" }, "run", "--dry-run", "--config", config);

        Assert.Equal(ExitCodes.BadConfiguration, dry.Exit);
        Assert.Contains("has schema version 0; this build needs", dry.Error, StringComparison.Ordinal);
        Assert.Contains("`usagebatch db init` creates or upgrades it", dry.Error, StringComparison.Ordinal);
        await using (var connection = new SqliteConnection($"Data Source={database};Pooling=False"))
        {
            await connection.OpenAsync();
            await using var command = connection.CreateCommand();
            command.CommandText = "SELECT COUNT(*) FROM sqlite_master WHERE name = 'whop_usage'";
            Assert.Equal(0L, (long)(await command.ExecuteScalarAsync())!);
        }
    }

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
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
