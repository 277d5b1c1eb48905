using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Dapper;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging.Abstractions;
using UsageBatch.Storage;
using UsageBatch.Billing;
using UsageBatch.Configuration;
using UsageBatch.OperatorConsole;
using UsageBatch.OperatorConsole.Jobs;
using UsageBatch.Storage.Sqlite;

namespace UsageBatch.Benchmarks;

/// <summary>
/// `--console`: page load times of the operator console over a SQLite database of R runs (with summaries, five
/// submissions and events each, a big newest run) and N usage rows (mostly billed; some pending, held, rejected).
/// Each page is fetched over HTTP from the real console app, timed after one warm-up fetch. The overview and the
/// readiness check share a 5-second reading of the row counts, so they are timed cold (5.1 s apart) and warm.
/// </summary>
internal static class ConsoleBenchmark
{
    private const int Samples = 10;

    public static async Task<bool> RunAsync(int runs, int rows, bool keep)
    {
        var folder = Path.Combine(Path.GetTempPath(), "usagebatch-console-bench", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        var path = Path.Combine(folder, "bench.db");
        var now = DateTimeOffset.UtcNow;
        var store = new BillingStore(new SqliteDialect(new SqliteDatabase($"Data Source={path}")));
        await store.EnsureSchemaAsync(CancellationToken.None);
        var generate = Stopwatch.StartNew();
        var newest = await GenerateAsync(path, runs, rows, now);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"generated {runs} runs and {rows} usage rows in {generate.Elapsed.TotalSeconds:F1} s ({new FileInfo(path).Length / 1024 / 1024} MB)"));

        var options = new AppOptions
        {
            BaseDirectory = folder,
            Database = { Provider = "sqlite", ConnectionString = $"Data Source={path}" },
            Providers = { ["whop"] = new ProviderAccountOptions { Type = "whop" }, ["chargebee"] = new ProviderAccountOptions { Type = "chargebee" } },
            Jobs = { new JobOptions { Name = "whop-nightly", Provider = "whop", Cron = "0 15 3 * * ?" }, new JobOptions { Name = "chargebee-nightly", Provider = "chargebee", Cron = "0 45 3 * * ?" } },
            Console = { Urls = "http://127.0.0.1:0" },
        };
        await using var app = ConsoleApp.Build(new ConsoleContext(options, store, null, TimeProvider.System, null), NullLoggerFactory.Instance,
            new MisfireRecorder(TimeProvider.System));
        await app.StartAsync();
        using var http = new HttpClient { BaseAddress = new Uri(ConsoleApp.Addresses(app)[0]) };
        var id = newest.ToString(CultureInfo.InvariantCulture);
        var ok = true;
        string[] pages = ["/runs", "/runs?page=100", "/runs?job=chargebee-nightly&outcome=attention", $"/runs/{id}", $"/runs/{id}/report.html", "/exceptions", "/scheduler", "/metrics"];
        await Task.Delay(TimeSpan.FromSeconds(5.1));
        ok &= await TimeAsync(http, "/ (overview, cold)", "/", TimeSpan.FromSeconds(5.1));
        ok &= await TimeAsync(http, "/ (overview, warm)", "/", TimeSpan.Zero);
        ok &= await TimeAsync(http, "/health/ready (cold)", "/health/ready", TimeSpan.FromSeconds(5.1));
        foreach (var page in pages)
        {
            ok &= await TimeAsync(http, page, page, TimeSpan.Zero);
        }

        await app.StopAsync();
        SqliteConnection.ClearAllPools();
        if (!keep)
        {
            Directory.Delete(folder, recursive: true);
        }

        return ok;
    }

    private static async Task<bool> TimeAsync(HttpClient http, string label, string path, TimeSpan spacing)
    {
        using (var warm = await http.GetAsync(path))
        {
            if (!warm.IsSuccessStatusCode)
            {
                Console.WriteLine($"{label}: HTTP {(int)warm.StatusCode}");
                return false;
            }
        }

        var times = new List<double>();
        long bytes = 0;
        for (var i = 0; i < Samples; i++)
        {
            if (spacing > TimeSpan.Zero)
            {
                await Task.Delay(spacing);
            }

            var start = Stopwatch.GetTimestamp();
            var body = await http.GetByteArrayAsync(path);
            times.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
            bytes = body.Length;
        }

        times.Sort();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"page={label} median_ms={times[Samples / 2]:F0} p90_ms={times[(int)(Samples * 0.9)]:F0} max_ms={times[^1]:F0} kb={bytes / 1024}"));
        return true;
    }

    /// <summary>Returns the newest run's id (the big one).</summary>
    private static async Task<long> GenerateAsync(string path, int runs, int rows, DateTimeOffset now)
    {
        await using var connection = new SqliteConnection($"Data Source={path}");
        await connection.OpenAsync();
        await connection.ExecuteAsync("PRAGMA synchronous = OFF");
        await using var transaction = connection.BeginTransaction();
        string T(DateTimeOffset t) => Usage.UtcText.Format(t);
        const string insertRun = """
            INSERT INTO ub_run (id, job, provider_account, usage_table, status, scheduled_at, cutoff, started_at, finished_at, lease_until, host, process_id, exit_code, message, summary_json)
            VALUES (@Id, @Job, @Account, @Table, @Status, @At, @Cutoff, @At, @Finished, @Finished, 'bench-host', 1, @Exit, @Message, @Summary)
            """;
        var insertSubmission = """
            INSERT INTO ub_submission (id, created_run_id, owner_run_id, job, provider_account, usage_table, customer_field, customer_id, item_field, item_id,
                                       value_field, status, status_reason, row_count, total, row_ids, attempts, provider_usage_id, echoed_total, http_status, created_at, updated_at, settled_at)
            VALUES (@Id, @Run, @Run, @Job, @Account, @Table, @CustomerField, @Customer, @ItemField, @Item, 'quantity', @Status, @Reason, 100, '250', @RowIds, 1, @Usage, @Echo, 201, @At, @At, @At)
            """;
        var insertEvent = "INSERT INTO ub_submission_event (submission_id, run_id, at, event, provider_usage_id, echoed_total, http_status) VALUES (@Id, @Run, @At, @Status, @Usage, @Echo, 201)";
        long submission = 0;
        for (var r = 1; r <= runs; r++)
        {
            var whop = r % 2 == 1;
            var at = now.AddHours(-12.0 * (runs - r + 1));
            var outcome = r % 50 == 0 ? "aborted" : r % 7 == 0 ? "attention" : "succeeded";
            var summary = new RunSummary
            {
                RunId = r, Job = whop ? "whop-nightly" : "chargebee-nightly", ProviderAccount = whop ? "whop" : "chargebee", Provider = whop ? "whop" : "chargebee",
                ScheduledAt = at, Cutoff = at.AddHours(-1), StartedAt = at, FinishedAt = at.AddSeconds(40), Outcome = RunOutcomeText.Parse(outcome), ExitCode = outcome == "succeeded" ? 0 : 1,
                RowsValidated = 500, Groups = 5, Confirmed = 5, RowsBilled = 500, BilledTotal = 1250m, EchoedTotal = 1250m, ProviderCalls = 5,
            };
            await connection.ExecuteAsync(new CommandDefinition(insertRun,
                new
                {
                    Id = r, Job = summary.Job, Account = summary.ProviderAccount, Table = whop ? "whop_usage" : "chargebee_usage", Status = outcome,
                    At = T(at), Cutoff = T(at.AddHours(-1)), Finished = T(at.AddSeconds(40)), Exit = summary.ExitCode, Message = (string?)null,
                    Summary = JsonSerializer.Serialize(summary, RunSummaryJson.Options),
                },
                transaction));
            // Five submissions per run; the newest run is a big one (500), as a night after an outage would be.
            var count = r == runs ? 500 : 5;
            var batch = new List<object>();
            for (var s = 0; s < count; s++)
            {
                submission++;
                batch.Add(new
                {
                    Id = submission, Run = r, Job = summary.Job, Account = summary.ProviderAccount, Table = whop ? "whop_usage" : "chargebee_usage",
                    CustomerField = whop ? "membership_id" : "subscription_id", Customer = string.Create(CultureInfo.InvariantCulture, $"{(whop ? "mem_" : "sub_")}Bench{s:D4}"),
                    ItemField = whop ? "billing_item_id" : "item_price_id", Item = whop ? "bi_Bench001" : "api-calls-USD-monthly",
                    Status = "confirmed", Reason = (string?)null, RowIds = "1-100", Usage = string.Create(CultureInfo.InvariantCulture, $"bu_{submission}"), Echo = "250", At = T(at.AddSeconds(20)),
                });
            }

            await connection.ExecuteAsync(new CommandDefinition(insertSubmission, batch, transaction));
            await connection.ExecuteAsync(new CommandDefinition(insertEvent, batch, transaction));
        }

        // One held group: its rows are held in whop_usage.
        var heldSubmission = ++submission;
        await connection.ExecuteAsync(new CommandDefinition(insertSubmission, new
        {
            Id = heldSubmission, Run = runs, Job = "whop-nightly", Account = "whop", Table = "whop_usage", CustomerField = "membership_id", Customer = "mem_Held0001",
            ItemField = "billing_item_id", Item = "bi_Bench001", Status = "held", Reason = "several matching usages at the provider", RowIds = "", Usage = (string?)null, Echo = (string?)null, At = T(now),
        }, transaction));

        var whopRows = rows / 2;
        await InsertRowsAsync(connection, transaction, "whop_usage", whopRows, runs, heldSubmission, now);
        await InsertRowsAsync(connection, transaction, "chargebee_usage", rows - whopRows, runs, null, now);
        await transaction.CommitAsync();
        await connection.ExecuteAsync(new CommandDefinition("ANALYZE", commandType: System.Data.CommandType.Text));
        return runs;
    }

    /// <summary>Per 1,000 rows: 985 billed, 10 pending (5 future-dated), 4 rejected, 1 held (whop).</summary>
    private static async Task InsertRowsAsync(SqliteConnection connection, SqliteTransaction transaction, string table, int count, int runs, long? heldSubmission, DateTimeOffset now)
    {
        var whop = table == "whop_usage";
        using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = whop
            ? "INSERT INTO whop_usage (source_key, membership_id, billing_item_id, quantity, occurred_at, billing_status, billing_run_id, billing_submission_id, billing_error) VALUES ($k, $c, 'bi_Bench001', '2.5', $at, $s, $run, $sub, $err)"
            : "INSERT INTO chargebee_usage (source_key, subscription_id, item_price_id, quantity, occurred_at, billing_status, billing_run_id, billing_submission_id, billing_error) VALUES ($k, $c, 'api-calls-USD-monthly', '2.5', $at, $s, $run, $sub, $err)";
        var p = new[] { "$k", "$c", "$at", "$s", "$run", "$sub", "$err" }.Select(n => command.Parameters.Add(new SqliteParameter { ParameterName = n })).ToArray();
        command.Prepare();
        for (var i = 0; i < count; i++)
        {
            var slot = i % 1000;
            var (status, at) = slot switch
            {
                < 5 => ("pending", now.AddHours(-3).AddSeconds(-i % 3600)),
                < 10 => ("pending", now.AddMinutes(-10)),
                < 14 => ("rejected", now.AddDays(-2)),
                14 when heldSubmission is not null => ("held", now.AddDays(-1)),
                _ => ("billed", now.AddHours(-12.0 * (runs - (i % runs)))),
            };
            p[0].Value = string.Create(CultureInfo.InvariantCulture, $"{table}-{i}");
            p[1].Value = string.Create(CultureInfo.InvariantCulture, $"{(whop ? "mem_" : "sub_")}Bench{i % 5000:D4}");
            p[2].Value = at.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
            p[3].Value = status;
            p[4].Value = status == "pending" ? DBNull.Value : (i % runs) + 1;
            p[5].Value = status switch { "held" => heldSubmission!.Value, "billed" => (long)(i % (runs * 5)) + 1, _ => DBNull.Value };
            p[6].Value = status == "rejected" ? "quantity '2,5' is not a plain decimal" : status == "held" ? "several matching usages at the provider" : DBNull.Value;
            await command.ExecuteNonQueryAsync();
        }
    }
}
