using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using Dapper;
using Microsoft.Extensions.Logging.Abstractions;
using UsageBatch.Billing;
using UsageBatch.Configuration;
using UsageBatch.Emulator;
using UsageBatch.Providers;
using UsageBatch.Storage;
using UsageBatch.Storage.Sqlite;

namespace UsageBatch.Tests.TestSupport;

/// <summary>
/// A fresh SQLite file and an in-process emulator per test, with helpers to seed rows, run jobs and read back both
/// sides. Rate limits are lifted: these tests are about billing, the provider tests cover pacing.
/// </summary>
internal sealed class BillingHarness : IAsyncDisposable
{
    private readonly string _folder;
    private readonly HttpClient _http = new();

    private BillingHarness(string folder, EmulatorServer emulator, SqliteDatabase database, SqlitePlan plan)
    {
        _folder = folder;
        Emulator = emulator;
        Database = database;
        Store = new BillingStore(new SqliteDialect(database, plan: plan));
    }

    public EmulatorServer Emulator { get; }
    public SqliteDatabase Database { get; }

    /// <summary>The database's clock: leases are written and compared on it, whatever clock a run is given.</summary>
    public ShiftableClock DatabaseClock { get; private init; } = new();

    /// <summary>
    /// <paramref name="span"/> passes on the database's clock (so leases of runs that died have run out), and a clock
    /// that far ahead for the next run, whose own times (scheduled, cutoff) follow.
    /// </summary>
    public OffsetTimeProvider PassTime(TimeSpan span)
    {
        DatabaseClock.Advance(span);
        return new OffsetTimeProvider(span);
    }
    public BillingStore Store { get; }

    /// <param name="plan">How the SQLite store claims and settles: its own passes (what a real run does) or SQL Server's group batches.</param>
    public static async Task<BillingHarness> StartAsync(EmulatorFixtures? fixtures = null, SqlitePlan plan = SqlitePlan.Passes)
    {
        fixtures ??= EmulatorFixtures.CreateDefault();
        fixtures.Settings.Whop.RequestsPerWindow = 100000;
        fixtures.Settings.Chargebee.RequestsPerMinute = 100000;
        var emulator = await EmulatorServer.StartAsync(new EmulatorOptions { Fixtures = fixtures });
        var folder = Path.Combine(Path.GetTempPath(), "usagebatch-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        var clock = new ShiftableClock();
        var database = new SqliteDatabase($"Data Source={Path.Combine(folder, "test.db")}", clock);
        var harness = new BillingHarness(folder, emulator, database, plan) { DatabaseClock = clock };
        await harness.Store.EnsureSchemaAsync(CancellationToken.None);
        return harness;
    }

    public ProviderAccountOptions Account(ProviderKind kind) => new()
    {
        Type = kind == ProviderKind.Whop ? "whop" : "chargebee",
        BaseUrl = (kind == ProviderKind.Whop ? Emulator.WhopBaseUrl : Emulator.ChargebeeBaseUrl).ToString(),
        ApiKeyEnv = "TEST_KEY",
        RequestsPerWindow = 100000,
        Window = TimeSpan.FromSeconds(1),
        Timeout = TimeSpan.FromSeconds(10),
        MaxAttempts = 2,
    };

    public static JobOptions Job(ProviderKind kind, string name = "") => new()
    {
        Name = name.Length > 0 ? name : kind == ProviderKind.Whop ? "whop-test" : "chargebee-test",
        Provider = kind == ProviderKind.Whop ? "whop" : "chargebee",
        Cron = "0 0 3 * * ?",
        SettleDelay = TimeSpan.FromHours(1),
    };

    public IUsageProvider Provider(ProviderAccountOptions account, TimeProvider? time = null) =>
        ProviderClientFactory.Create(account.Type, account, account.Type == "whop" ? "whop_test_key" : "cb_test_key",
            time ?? TimeProvider.System, NullLoggerFactory.Instance);

    public BillingRun Run(JobOptions job, ProviderAccountOptions account, TimeProvider? time = null, RunOptions? options = null, IBillingStore? store = null) =>
        new(store ?? Store, Provider(account, time), job, account, time ?? TimeProvider.System, NullLogger.Instance, options ?? new RunOptions());

    public static string At(DateTimeOffset value) => value.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    /// <summary>Two hours ago, minus <paramref name="seconds"/>: safely before the default cutoff.</summary>
    public static string Earlier(int seconds = 0) => At(DateTimeOffset.UtcNow.AddHours(-2).AddSeconds(-seconds));

    public async Task InsertWhopAsync(string key, string? membership, string? company, string? itemId, string? identifier, string? amount, string? quantity, string? occurredAt)
    {
        await using var connection = await Database.OpenAsync(CancellationToken.None);
        await connection.ExecuteAsync(
            """
            INSERT INTO whop_usage (source_key, membership_id, company_id, billing_item_id, billing_item_identifier, amount, quantity, occurred_at)
            VALUES (@key, @membership, @company, @itemId, @identifier, @amount, @quantity, @occurredAt)
            """, new { key, membership, company, itemId, identifier, amount, quantity, occurredAt });
    }

    public async Task InsertChargebeeAsync(string key, string? subscription, string? itemPrice, string? quantity, string? occurredAt)
    {
        await using var connection = await Database.OpenAsync(CancellationToken.None);
        await connection.ExecuteAsync(
            "INSERT INTO chargebee_usage (source_key, subscription_id, item_price_id, quantity, occurred_at) VALUES (@key, @subscription, @itemPrice, @quantity, @occurredAt)",
            new { key, subscription, itemPrice, quantity, occurredAt });
    }

    public sealed record Row(long Id, string SourceKey, string BillingStatus, long? BillingSubmissionId, string? ProviderUsageId, string? BillingError, string? Value);

    public async Task<List<Row>> RowsAsync(UsageTable table)
    {
        await using var connection = await Database.OpenAsync(CancellationToken.None);
        var value = table == Tables.Whop ? "COALESCE(amount, quantity)" : "quantity";
        return (await connection.QueryAsync<Row>(
            $"SELECT id, source_key, billing_status, billing_submission_id, provider_usage_id, billing_error, {value} AS value FROM {table.Name} ORDER BY id")).ToList();
    }

    public async Task<T> ScalarAsync<T>(string sql, object? parameters = null)
    {
        await using var connection = await Database.OpenAsync(CancellationToken.None);
        return (await connection.ExecuteScalarAsync<T>(sql, parameters))!;
    }

    public sealed record ProviderSideUsage(string Id, string Customer, string Item, decimal Value);

    /// <summary>What the emulator recorded, read from its control ledger.</summary>
    public async Task<(List<ProviderSideUsage> Whop, List<ProviderSideUsage> Chargebee)> ProviderLedgerAsync()
    {
        var json = await _http.GetFromJsonAsync<JsonElement>(new Uri(Emulator.BaseAddress, "_emulator/ledger"));
        var whop = json.GetProperty("whop").EnumerateArray().Select(u => new ProviderSideUsage(
            u.GetProperty("id").GetString()!,
            u.TryGetProperty("membership_id", out var m) && m.ValueKind == JsonValueKind.String ? m.GetString()! : u.GetProperty("company_id").GetString()!,
            u.GetProperty("billing_item_id").GetString()!,
            u.TryGetProperty("quantity", out var q) && q.ValueKind == JsonValueKind.Number ? q.GetDecimal() : u.GetProperty("amount").GetDecimal())).ToList();
        var chargebee = json.GetProperty("chargebee").EnumerateArray().Select(u => new ProviderSideUsage(
            u.GetProperty("id").GetString()!, u.GetProperty("subscription_id").GetString()!, u.GetProperty("item_price_id").GetString()!,
            decimal.Parse(u.GetProperty("quantity").GetString()!, CultureInfo.InvariantCulture))).ToList();
        return (whop, chargebee);
    }

    /// <summary>Closes a pending Chargebee invoice through the emulator's API, as finance (or auto-close) would.</summary>
    public Task CloseInvoiceAsync(string invoiceId) => InvoiceActionAsync(invoiceId, "close");

    /// <summary>Voids a Chargebee invoice through the emulator's API, as finance would.</summary>
    public Task VoidInvoiceAsync(string invoiceId) => InvoiceActionAsync(invoiceId, "void");

    private async Task InvoiceActionAsync(string invoiceId, string action)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(Emulator.ChargebeeBaseUrl + "/invoices/" + invoiceId + "/" + action))
        {
            Content = new FormUrlEncodedContent([]),
        };
        request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Basic", Convert.ToBase64String("cb_test_key:"u8.ToArray()));
        using var response = await _http.SendAsync(request);
        response.EnsureSuccessStatusCode();
    }

    public async Task AddFaultAsync(object fault)
    {
        using var response = await _http.PostAsJsonAsync(new Uri(Emulator.BaseAddress, "_emulator/faults"), fault);
        response.EnsureSuccessStatusCode();
    }

    public async ValueTask DisposeAsync()
    {
        _http.Dispose();
        await Emulator.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try
        {
            Directory.Delete(_folder, recursive: true);
        }
        catch (IOException)
        {
            // A leftover temp folder is harmless.
        }
    }
}
