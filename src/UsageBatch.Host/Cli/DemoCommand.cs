using System.Globalization;
using UsageBatch.Billing;
using UsageBatch.Configuration;
using UsageBatch.Demo;
using UsageBatch.Emulator;
using UsageBatch.Storage;
using UsageBatch.Storage.Sqlite;

namespace UsageBatch.Cli;

/// <summary>
/// `demo`: on a fresh clone, create the embedded database, seed sample usage, start the emulator on loopback,
/// point every provider account at it (URLs, keys and rate limits overridden in memory, never on disk), run every
/// job once and print the summary. Exit 0 when every row is final and billed totals equal what the provider echoed.
/// </summary>
internal static class DemoCommand
{
    public static async Task<int> RunAsync(string configPath, TextWriter output, CancellationToken cancellationToken)
    {
        var options = ConfigLoader.Load(configPath);
        if (options.Database.Provider != "sqlite")
        {
            throw new ConfigurationException(["demo: runs on the embedded SQLite database only (database.provider must be sqlite)"]);
        }

        var fixtures = EmulatorFixtures.CreateDefault();
        // The demo is not about pacing: lift the limits on both sides so it finishes in seconds.
        fixtures.Settings.LiftRateLimits();
        await using var emulator = await EmulatorServer.StartAsync(new EmulatorOptions { Fixtures = fixtures }, cancellationToken);
        var keys = new Dictionary<string, string?>(StringComparer.Ordinal);
        foreach (var (name, account) in options.Providers)
        {
            account.BaseUrl = emulator.BaseUrlFor(account.Type).ToString();
            account.RequestsPerWindow = 500;
            account.Window = TimeSpan.FromSeconds(1);
            account.ApiKeyEnv = $"USAGEBATCH_DEMO_KEY_{name.ToUpperInvariant()}";
            keys[account.ApiKeyEnv] = fixtures.ApiKeyFor(account.Type);
        }

        string? Environment(string name) => keys.TryGetValue(name, out var value) ? value : System.Environment.GetEnvironmentVariable(name);
        Commands.Check(options, Environment, requireKeys: true, jobs: null);
        var store = Composition.CreateStore(options, Environment, DatabaseUse.Create);
        // The demo's configuration is the embedded default: its SQLite file is seeded directly.
        var database = ((SqliteDialect)store.Database).Database;
        await store.EnsureSchemaAsync(cancellationToken);
        var now = TimeProvider.System.GetUtcNow();
        DemoSeed.Counts seeded;
        await using (var connection = await database.OpenAsync(cancellationToken))
        {
            seeded = await DemoSeed.SeedAsync(connection, now, cancellationToken);
        }

        await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
            $"demo: database {database.DataSource}; sample of {seeded.WhopRows} Whop and {seeded.ChargebeeRows} Chargebee rows (already-seeded rows are kept); emulator at {emulator.BaseAddress}"));
        using var loggers = Logging.Create(options.Logging, console: false);
        var runner = new JobRunner(options, store, store, Environment, TimeProvider.System, loggers);
        var healthy = true;
        foreach (var job in options.Jobs.Where(j => j.Enabled))
        {
            var (summary, path) = await runner.RunAsync(job, new RunOptions(), TimeProvider.System.GetUtcNow(), cancellationToken);
            await Commands.PrintSummaryAsync(output, summary, path);
            var counts = await store.CountRowsAsync(options.TableOf(job), summary.Cutoff, cancellationToken);
            // The seeded usage of a cancelled subscription is held on purpose (inactive): nothing else may be.
            var expectedHeld = DemoSeed.HeldRows(options.TableOf(job).Name);
            var final = counts.Pending == 0 && counts.Claimed == 0 && counts.Held == expectedHeld;
            // Per kind of value: money and units are compared apart, never added together.
            var reconciled = summary.BilledByKind.Count == summary.EchoedByKind.Count
                && summary.BilledByKind.All(k => summary.EchoedByKind.TryGetValue(k.Key, out var echoed) && echoed == k.Value);
            healthy &= final && reconciled && summary.ExitCode is ExitCodes.Ok or ExitCodes.Attention
                && summary.Unresolved == 0 && summary.Released == 0 && summary.Held <= expectedHeld;
            await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                $"  rows now: billed {counts.Billed}, rejected {counts.Rejected}, held {counts.Held}, pending {counts.Pending}, claimed {counts.Claimed}; control check {(reconciled ? "PASS" : "FAIL")}: billed {Commands.Values(summary.BilledByKind, summary.Currency)} {(reconciled ? "=" : "<>")} provider {Commands.Values(summary.EchoedByKind, summary.Currency)}"));
        }

        await output.WriteLineAsync("demo: the seeded bad rows are expected rejections and holds:");
        foreach (var (key, why) in DemoSeed.BadRows)
        {
            await output.WriteLineAsync($"  {key}: {why}");
        }

        await output.WriteLineAsync(healthy
            ? "demo: every row is final and billed totals equal the provider's (exit 0)"
            : "demo: something needs attention (see above and the log under " + options.Logging.Directory + ")");
        return healthy ? ExitCodes.Ok : ExitCodes.Attention;
    }
}
