using Dapper;
using UsageBatch.Storage;
using UsageBatch.Storage.Sqlite;
using UsageBatch.Tests.TestSupport;
using UsageBatch.Usage;

namespace UsageBatch.Tests.Storage;

internal sealed class SqliteStoreTestDatabase : IStoreTestDatabase
{
    private readonly string _folder;
    private readonly string _connectionString;
    private readonly SqliteDatabase _database;

    private readonly SqlitePlan _plan;

    /// <summary>The database's clock (leases): starts at the contract tests' "now", moved only by <see cref="ElapseAsync"/>.</summary>
    public ManualTimeProvider Clock { get; } = new(new DateTimeOffset(2026, 1, 15, 12, 0, 0, TimeSpan.Zero));

    public Task ElapseAsync(TimeSpan span)
    {
        Clock.Advance(span);
        return Task.CompletedTask;
    }

    private SqliteStoreTestDatabase(string folder, SqlitePlan plan)
    {
        _folder = folder;
        _connectionString = $"Data Source={Path.Combine(folder, "contract.db")}";
        _database = new SqliteDatabase(_connectionString, Clock);
        _plan = plan;
        Store = new BillingStore(new SqliteDialect(_database, plan: plan));
    }

    public IBillingStore Store { get; }

    /// <param name="plan">The run plan the store follows: SQLite's passes, or SQL Server's group batches (the algorithm production runs).</param>
    public static async Task<IStoreTestDatabase> CreateAsync(SqlitePlan plan = SqlitePlan.Passes)
    {
        var folder = Path.Combine(Path.GetTempPath(), "usagebatch-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        var database = new SqliteStoreTestDatabase(folder, plan);
        await database.Store.ApplySchemaAsync(CancellationToken.None);
        return database;
    }

    public IBillingStore OtherProcess() => new BillingStore(new SqliteDialect(new SqliteDatabase(_connectionString, Clock), plan: _plan));

    // SQLite's guard is a lock row with a lease: a dead holder simply stops renewing it.
    public Task CrashAsync(IBillingStore store) => Task.CompletedTask;

    public async Task InsertWhopAsync(string key, string? membership, string? company, string? itemId, string? identifier, string? amount, string? quantity, DateTimeOffset? occurredAt)
    {
        await using var connection = await _database.OpenAsync(CancellationToken.None);
        await connection.ExecuteAsync(
            """
            INSERT INTO whop_usage (source_key, membership_id, company_id, billing_item_id, billing_item_identifier, amount, quantity, occurred_at)
            VALUES (@key, @membership, @company, @itemId, @identifier, @amount, @quantity, @at)
            """,
            new { key, membership, company, itemId, identifier, amount, quantity, at = occurredAt is { } t ? UtcText.Format(t) : null });
    }

    public async Task InsertChargebeeAsync(string key, string subscription, string itemPrice, string quantity, DateTimeOffset? occurredAt)
    {
        await using var connection = await _database.OpenAsync(CancellationToken.None);
        await connection.ExecuteAsync(
            "INSERT INTO chargebee_usage (source_key, subscription_id, item_price_id, quantity, occurred_at) VALUES (@key, @subscription, @itemPrice, @quantity, @at)",
            new { key, subscription, itemPrice, quantity, at = occurredAt is { } t ? UtcText.Format(t) : null });
    }

    public async Task<IReadOnlyList<StoredRow>> RowsAsync(UsageTable table)
    {
        await using var connection = await _database.OpenAsync(CancellationToken.None);
        var value = table == Tables.Whop ? "COALESCE(amount, quantity)" : "quantity";
        var rows = await connection.QueryAsync<(long Id, string SourceKey, string Status, long? SubmissionId, string? UsageId, string? Error, string? Value)>(
            $"SELECT id, source_key, billing_status, billing_submission_id, provider_usage_id, billing_error, {value} FROM {table.Name} ORDER BY id");
        var receipts = (await connection.QueryAsync<(long Id, string? ReceiptId)>($"SELECT id, provider_receipt_id FROM {table.Name}")).ToDictionary(r => r.Id, r => r.ReceiptId);
        return rows.Select(r => new StoredRow(r.Id, r.SourceKey, r.Status, r.SubmissionId, r.UsageId, r.Error, r.Value is null ? null : DecimalText.Parse(r.Value), receipts[r.Id])).ToList();
    }

    /// <summary>Any statement a DBA could run (a trigger, a hand edit), on its own connection.</summary>
    public async Task ExecuteSqlAsync(string sql)
    {
        await using var connection = await _database.OpenAsync(CancellationToken.None);
        await connection.ExecuteAsync(sql);
    }

    public async Task SetStatusAsync(UsageTable table, long id, string status)
    {
        await using var connection = await _database.OpenAsync(CancellationToken.None);
        await connection.ExecuteAsync($"UPDATE {table.Name} SET billing_status = @status WHERE id = @id", new { id, status });
    }

    public ValueTask DisposeAsync()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try
        {
            Directory.Delete(_folder, recursive: true);
        }
        catch (IOException)
        {
            // A leftover temp folder is harmless.
        }

        return ValueTask.CompletedTask;
    }
}
