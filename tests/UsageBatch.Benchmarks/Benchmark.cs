using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using Dapper;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging.Abstractions;
using UsageBatch.Storage;
using UsageBatch.Billing;
using UsageBatch.Configuration;
using UsageBatch.Emulator;
using UsageBatch.Providers;
using UsageBatch.Storage.Sqlite;

namespace UsageBatch.Benchmarks;

/// <summary>
/// The floor (hand-written set-based SQL) against the real billing run, on identical fresh SQLite files.
/// Half the rows and half the groups go to each provider table (Whop, then Chargebee), so calls = groups.
/// </summary>
internal static class Benchmark
{
    private const string ItemPrice = "api-calls-USD-monthly";

    public static async Task<bool> RunAsync(BenchmarkOptions options)
    {
        var folder = Path.Combine(Path.GetTempPath(), "usagebatch-bench", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        try
        {
            return await RunInAsync(folder, options);
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            if (!options.Keep)
            {
                Directory.Delete(folder, recursive: true);
            }
            else
            {
                Console.WriteLine($"kept {folder}");
            }
        }
    }

    private static async Task<bool> RunInAsync(string folder, BenchmarkOptions options)
    {
        var now = DateTimeOffset.UtcNow;
        var layout = new DataLayout(options.Rows, options.Groups, now);
        var runPath = Path.Combine(folder, "run.db");
        var floorPath = Path.Combine(folder, "floor.db");

        Console.WriteLine($"UsageBatch benchmark: {options.Rows:N0} rows over {options.Groups:N0} groups " +
                          $"(whop {layout.WhopRows:N0} rows / {layout.WhopGroups:N0} groups, chargebee {layout.ChargebeeRows:N0} / {layout.ChargebeeGroups:N0}); " +
                          $"{Environment.ProcessorCount} cores; plan {options.Plan}; rate {(options.Rate is { } r ? r + " per 1 s" : "unlimited")}, {options.InFlight} in flight");
        var generate = await Stopwatches.TimeAsync(() => DataLayout.GenerateAsync(layout, runPath));
        SqliteConnection.ClearAllPools();
        File.Copy(runPath, floorPath);
        Console.WriteLine($"generated in {generate.TotalSeconds:F1} s ({options.Rows / generate.TotalSeconds:N0} rows/s); copied for the floor");

        var cpuBefore = ProcessCpu();
        var floor = await Floor.RunAsync(new SqliteDatabase($"Data Source={floorPath}"), layout.Cutoff);
        var floorCpu = ProcessCpu() - cpuBefore;
        SqliteConnection.ClearAllPools();
        Console.WriteLine($"floor: whop {floor.Whop.TotalSeconds:F2} s, chargebee {floor.Chargebee.TotalSeconds:F2} s (process CPU {floorCpu.TotalSeconds:F2} s)");

        // From here on the peak working set is the run's: Linux resets the process's peak RSS (VmHWM, what
        // PeakWorkingSet64 reads) on "5" > /proc/self/clear_refs, so generation and the floor do not count.
        using (var before = Process.GetCurrentProcess())
        {
            Console.WriteLine($"peak working set after generation and floor: {before.PeakWorkingSet64 / (1024.0 * 1024.0):F0} MB");
        }

        var peakReset = TryResetPeak();
        var fixtures = layout.Fixtures();
        var rate = options.Rate ?? 1_000_000;
        fixtures.Settings.Whop.RequestsPerWindow = rate;
        fixtures.Settings.Whop.Window = TimeSpan.FromSeconds(1);
        fixtures.Settings.Chargebee.RequestsPerMinute = rate;
        fixtures.Settings.Chargebee.Window = TimeSpan.FromSeconds(1);
        await using var emulator = await EmulatorServer.StartAsync(new EmulatorOptions { Fixtures = fixtures });
        var store = new BillingStore(new SqliteDialect(new SqliteDatabase($"Data Source={runPath}"), plan: options.Plan));
        var results = new List<(string Name, RunSummary Summary, RunTimings Timings, TimeSpan Wall, TimeSpan LedgerWrites)>();
        foreach (var whop in new[] { true, false })
        {
            var account = new ProviderAccountOptions
            {
                Type = whop ? "whop" : "chargebee",
                BaseUrl = (whop ? emulator.WhopBaseUrl : emulator.ChargebeeBaseUrl).ToString(),
                ApiKeyEnv = "BENCH_KEY",
                RequestsPerWindow = rate,
                Window = TimeSpan.FromSeconds(1),
                MaxInFlight = options.InFlight,
            };
            var job = new JobOptions { Name = $"{account.Type}-bench", Provider = account.Type, Cron = "0 0 3 * * ?", SettleDelay = TimeSpan.FromHours(1) };
            var provider = ProviderClientFactory.Create(account.Type, account, whop ? "whop_test_key" : "cb_test_key",
                TimeProvider.System, NullLoggerFactory.Instance);
            try
            {
                var timings = new RunTimings();
                var run = new BillingRun(store, provider, job, account, TimeProvider.System, NullLogger.Instance, new RunOptions(Timings: timings));
                RunSummary summary = null!;
                var cpu = ProcessCpu();
                var (jitCount, jitTime, gen0, gen2) = (System.Runtime.JitInfo.GetCompiledMethodCount(), System.Runtime.JitInfo.GetCompilationTime(), GC.CollectionCount(0), GC.CollectionCount(2));
                var (busy, commits, writes) = (store.LedgerWrites.Busy, store.LedgerWrites.Commits, store.LedgerWrites.Writes);
                var wall = await Stopwatches.TimeAsync(async () => summary = await run.ExecuteAsync(now, CancellationToken.None));
                var ledgerWrites = store.LedgerWrites.Busy - busy;
                Console.WriteLine($"{account.Type} run: wall {wall.TotalSeconds:F2} s, process CPU {(ProcessCpu() - cpu).TotalSeconds:F2} s (database, client and emulator together); " +
                                  $"JIT {System.Runtime.JitInfo.GetCompiledMethodCount() - jitCount} methods in {(System.Runtime.JitInfo.GetCompilationTime() - jitTime).TotalSeconds:F2} s; " +
                                  $"GCs gen0 {GC.CollectionCount(0) - gen0}, gen2 {GC.CollectionCount(2) - gen2}; " +
                                  $"ledger writes {store.LedgerWrites.Writes - writes} in {store.LedgerWrites.Commits - commits} commits, {ledgerWrites.TotalSeconds:F2} s");
                results.Add((account.Type, summary, timings, wall, ledgerWrites));
            }
            finally
            {
                (provider as IDisposable)?.Dispose();
            }
        }

        // Read before the checks below: counting the rows' states sorts a million rows in this process, which is
        // the benchmark's work, not the run's.
        double peakMb;
        using (var self = Process.GetCurrentProcess())
        {
            peakMb = self.PeakWorkingSet64 / (1024.0 * 1024.0);
        }

        var calls = await CountProviderUsagesAsync(emulator);
        var states = await RowStatesAsync(runPath);
        Console.WriteLine(peakReset ? "peak working set below: the run's alone (reset after the floor)" : "peak working set below: the whole process (could not reset it)");
        return Report(options, floor, results, calls, states, peakMb);
    }

    private static bool Report(BenchmarkOptions options, Floor.Result floor,
        List<(string Name, RunSummary Summary, RunTimings Timings, TimeSpan Wall, TimeSpan LedgerWrites)> results, int calls, string states, double peakMb)
    {
        static string S(TimeSpan t) => t.TotalSeconds.ToString("F2", CultureInfo.InvariantCulture);
        Console.WriteLine();
        Console.WriteLine("| provider  | floor s | validate s | claim+prepare s | send-phase db s | settle pass s | db s  | send wall s | provider calls s (sum) | mark sent s (sum) | record+settle s (sum) | run wall s | calls | outcome |");
        Console.WriteLine("|-----------|---------|------------|-----------------|-----------------|---------------|-------|-------------|------------------------|-------------------|-----------------------|------------|-------|---------|");
        var dbTotal = TimeSpan.Zero;
        var wallTotal = TimeSpan.Zero;
        foreach (var (name, summary, t, wall, ledgerWrites) in results)
        {
            // Database time = the single-threaded phases + the send phase's database time + the settle pass after the
            // sends. The send phase's: the ledger group commit's transactions (mark sent, outcomes; one at a time)
            // plus the wall time when a sender was in the database on its own (overlapping senders count once).
            var sendDb = ledgerWrites + t[RunPhase.SendDbBusy];
            var db = t[RunPhase.Recover] + t[RunPhase.Validate] + t[RunPhase.ClaimPrepare] + sendDb + t[RunPhase.SettlePass];
            dbTotal += db;
            wallTotal += wall;
            var floorPart = name == "whop" ? floor.Whop : floor.Chargebee;
            Console.WriteLine($"| {name,-9} | {S(floorPart),7} | {S(t[RunPhase.Validate]),10} | {S(t[RunPhase.ClaimPrepare]),15} | {S(sendDb),15} | {S(t[RunPhase.SettlePass]),13} | {S(db),5} | {S(t[RunPhase.SendWall]),11} | {S(t[RunPhase.Provider]),22} | {S(t[RunPhase.MarkSent]),17} | {S(t[RunPhase.Settle]),21} | {S(wall),10} | {summary.ProviderCalls,5} | {RunOutcomeText.ToText(summary.Outcome)} |");
        }

        var floorTotal = floor.Whop + floor.Chargebee;
        var ratio = dbTotal / floorTotal;
        var confirmed = results.Sum(r => r.Summary.Confirmed);
        Console.WriteLine();
        Console.WriteLine($"row states after the runs: {states}");
        Console.WriteLine($"rows/s (run wall): {options.Rows / wallTotal.TotalSeconds:N0}; floor {options.Rows / floorTotal.TotalSeconds:N0}");
        Console.WriteLine($"database phases / floor: {S(dbTotal)} / {S(floorTotal)} = {ratio:F2} (target <= 1.5)");
        Console.WriteLine($"usage-creating calls counted at the emulator: {calls} (groups {options.Groups}, confirmed {confirmed}) {(calls == options.Groups ? "ok" : "MISMATCH")}");
        Console.WriteLine($"peak working set: {peakMb:F0} MB");
        var line = string.Create(CultureInfo.InvariantCulture,
            $"rows={options.Rows} groups={options.Groups} floor_s={floorTotal.TotalSeconds:F2} db_s={dbTotal.TotalSeconds:F2} ratio={ratio:F2} calls={calls} peak_mb={peakMb:F0}");
        if (options.Rate is { } rate)
        {
            // A sliding window of R per second allows at most R * (T + 1) requests in T seconds (a full window at the
            // start, then R per second): that is what "saturated" means, so achieved / allowed is the figure.
            var ratios = new List<double>();
            foreach (var (name, summary, t, _, _) in results)
            {
                var seconds = t[RunPhase.SendWall].TotalSeconds;
                var rps = summary.ProviderCalls / seconds;
                var allowed = rate * (seconds + 1);
                ratios.Add(summary.ProviderCalls / allowed);
                Console.WriteLine($"{name}: {summary.ProviderCalls} calls in {seconds:F2} s = {rps:F1} requests/s against {rate} per 1 s; " +
                                  $"{summary.ProviderCalls / allowed:P0} of the {allowed:F0} the limit allows in that time (target >= 90%)");
            }

            line += string.Create(CultureInfo.InvariantCulture, $" rate={rate} rate_ratio={ratios.Min():F2}");
        }

        Console.WriteLine(line);
        return calls == options.Groups && states == $"billed={options.Rows}";
    }

    private static bool TryResetPeak()
    {
        try
        {
            File.WriteAllText("/proc/self/clear_refs", "5");
            return true;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or PlatformNotSupportedException)
        {
            return false;
        }
    }

    private static TimeSpan ProcessCpu()
    {
        using var self = Process.GetCurrentProcess();
        return self.TotalProcessorTime;
    }

    private static async Task<int> CountProviderUsagesAsync(EmulatorServer emulator)
    {
        using var http = new HttpClient();
        var json = await http.GetFromJsonAsync<JsonElement>(new Uri(emulator.BaseAddress, "_emulator/ledger"));
        return json.GetProperty("whop").GetArrayLength() + json.GetProperty("chargebee").GetArrayLength();
    }

    private static async Task<string> RowStatesAsync(string path)
    {
        await using var connection = new SqliteConnection($"Data Source={path}");
        var states = await connection.QueryAsync<(string Status, long Count)>(
            """
            SELECT billing_status, SUM(n) FROM (
                SELECT billing_status, COUNT(*) AS n FROM whop_usage GROUP BY 1
                UNION ALL SELECT billing_status, COUNT(*) FROM chargebee_usage GROUP BY 1)
            GROUP BY 1 ORDER BY 1
            """);
        return string.Join(' ', states.Select(s => string.Create(CultureInfo.InvariantCulture, $"{s.Status}={s.Count}")));
    }
}
