using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using Microsoft.Data.Sqlite;

namespace UsageBatch.Reliability;

/// <summary>
/// A temp folder holding a SQLite database and a jobs.json, a standalone emulator process, and the means to start
/// the real `usagebatch run` against them. Jobs are whop-0..n and chargebee-0..n on one account per provider, all
/// billing the same two tables (so several may run at once past the run guard, which is per job).
/// </summary>
internal sealed class ReliabilityWorld : IAsyncDisposable
{
    private ReliabilityWorld(string folder, EmulatorProcess emulator, ReliabilitySettings settings)
    {
        Folder = folder;
        Emulator = emulator;
        Settings = settings;
    }

    public string Folder { get; }

    public EmulatorProcess Emulator { get; }

    public ReliabilitySettings Settings { get; }

    /// <summary>Leave the folder (database, logs, reports) behind on dispose, for a look after a failure.</summary>
    public bool Keep { get; set; }

    public string ConfigPath => Path.Combine(Folder, "jobs.json");

    public string DatabasePath => Path.Combine(Folder, "usage.db");

    public static async Task<ReliabilityWorld> StartAsync(ReliabilitySettings settings)
    {
        var folder = Path.Combine(Path.GetTempPath(), "usagebatch-reliability", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        var emulator = await EmulatorProcess.StartAsync(folder, settings.LatencyMs);
        var world = new ReliabilityWorld(folder, emulator, settings);
        await File.WriteAllTextAsync(world.ConfigPath, world.ConfigJson());
        using var init = world.Start("db", "init");
        var exit = await init.WaitAsync(TimeSpan.FromSeconds(60));
        if (exit != 0)
        {
            throw new InvalidOperationException($"usagebatch db init exited {exit}:\n{init.Output}");
        }

        return world;
    }

    public static string WhopJob(int n) => "whop-" + n.ToString(CultureInfo.InvariantCulture);

    public static string ChargebeeJob(int n) => "chargebee-" + n.ToString(CultureInfo.InvariantCulture);

    /// <summary>`usagebatch --config jobs.json run --job …` as a child process.</summary>
    public ChildRun StartRun(params string[] jobs) => Start(["run", .. jobs.SelectMany(j => new[] { "--job", j })]);

    public ChildRun Start(params string[] args)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = Folder,
        };
        start.ArgumentList.Add(ReliabilityPaths.HostDll);
        start.ArgumentList.Add("--config");
        start.ArgumentList.Add(ConfigPath);
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        start.Environment["UB_REL_WHOP_KEY"] = EmulatorProcess.WhopKey;
        start.Environment["UB_REL_CHARGEBEE_KEY"] = EmulatorProcess.ChargebeeKey;
        start.Environment["DOTNET_TieredPGO"] = "0"; // a shorter warm-up: these processes live a second or two
        return new ChildRun(start);
    }

    public async Task<SqliteConnection> OpenAsync()
    {
        var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = DatabasePath, Pooling = false }.ToString());
        await connection.OpenAsync();
        using var pragma = connection.CreateCommand();
        pragma.CommandText = "PRAGMA busy_timeout = 60000;";
        await pragma.ExecuteNonQueryAsync();
        return connection;
    }

    /// <summary>
    /// Waits (a minute at most) until <paramref name="countSql"/> answers at least <paramref name="atLeast"/>, failing
    /// with the run's output if <paramref name="run"/> ends first: "once it is sending, kill it".
    /// </summary>
    public async Task WaitUntilAsync(string countSql, long atLeast, ChildRun? run = null)
    {
        var deadline = Environment.TickCount64 + 60_000;
        while (true)
        {
            if (await CountAsync(countSql) >= atLeast)
            {
                return;
            }

            if (run?.Process.HasExited == true)
            {
                throw new InvalidOperationException($"the run ended first:\n{run.Output}");
            }

            if (Environment.TickCount64 > deadline)
            {
                throw new TimeoutException($"'{countSql}' did not reach {atLeast} within a minute:\n{run?.Output}");
            }

            await Task.Delay(20);
        }
    }

    public async Task<long> CountAsync(string countSql)
    {
        await using var connection = await OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = countSql;
        return Convert.ToInt64(await command.ExecuteScalarAsync(), CultureInfo.InvariantCulture);
    }

    /// <summary>A job whose run guard is free now (its lock row absent or expired), or null.</summary>
    public async Task<int?> FreeJobAsync(Random random)
    {
        await using var connection = await OpenAsync();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT job FROM ub_job_lock WHERE lease_until >= $now";
        command.Parameters.AddWithValue("$now", DateTime.UtcNow.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture));
        var held = new HashSet<string>(StringComparer.Ordinal);
        await using (var reader = await command.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                held.Add(reader.GetString(0));
            }
        }

        var free = Enumerable.Range(1, Settings.JobsPerProvider - 1).Where(n => !held.Contains(WhopJob(n)) && !held.Contains(ChargebeeJob(n))).ToList();
        return free.Count == 0 ? null : free[random.Next(free.Count)];
    }

    private string ConfigJson()
    {
        string Span(TimeSpan t) => t.ToString("c", CultureInfo.InvariantCulture);
        var jobs = new JsonArray();
        for (var n = 0; n < Settings.JobsPerProvider; n++)
        {
            foreach (var (name, provider) in new[] { (WhopJob(n), "whop"), (ChargebeeJob(n), "chargebee") })
            {
                var job = new JsonObject
                {
                    ["name"] = name, ["provider"] = provider, ["cron"] = "0 0 3 * * ?", ["settleDelay"] = "00:10:00",
                    ["leaseDuration"] = Span(Settings.LeaseDuration), ["batchSize"] = Settings.BatchSize,
                };
                if (Settings.MaxQuantityPerSubmission is { } max)
                {
                    job["maxQuantityPerSubmission"] = decimal.Parse(max, CultureInfo.InvariantCulture);
                }

                jobs.Add(job);
            }
        }

        JsonObject Account(string type, string baseUrl, string keyEnv) => new()
        {
            ["type"] = type, ["baseUrl"] = baseUrl, ["apiKeyEnv"] = keyEnv, ["requestsPerWindow"] = 1000000, ["window"] = "00:00:01",
            ["lockout"] = "00:00:01", ["timeout"] = Span(Settings.Timeout), ["maxAttempts"] = 3, ["maxInFlight"] = Settings.MaxInFlight,
        };
        var chargebee = Account("chargebee", Emulator.ChargebeeBaseUrl, "UB_REL_CHARGEBEE_KEY");
        chargebee["usageCap"] = 1000000;
        var config = new JsonObject
        {
            ["database"] = new JsonObject { ["provider"] = "sqlite", ["connectionString"] = "Data Source=usage.db" },
            ["providers"] = new JsonObject { ["whop"] = Account("whop", Emulator.WhopBaseUrl, "UB_REL_WHOP_KEY"), ["chargebee"] = chargebee },
            ["jobs"] = jobs,
            ["scheduler"] = new JsonObject { ["store"] = "memory" },
            ["reports"] = new JsonObject { ["directory"] = "reports" },
            ["logging"] = new JsonObject { ["directory"] = "logs" },
        };
        return config.ToJsonString(new System.Text.Json.JsonSerializerOptions { WriteIndented = true });
    }

    public async ValueTask DisposeAsync()
    {
        await Emulator.DisposeAsync();
        SqliteConnection.ClearAllPools();
        if (Keep)
        {
            return;
        }

        try
        {
            Directory.Delete(Folder, recursive: true);
        }
        catch (IOException)
        {
            // A leftover temp folder is harmless.
        }
        catch (UnauthorizedAccessException)
        {
            // Same.
        }
    }
}
