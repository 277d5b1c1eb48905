using Dapper;
using UsageBatch.Storage;
using UsageBatch.Storage.Sqlite;

namespace UsageBatch.Tests.Storage.Sqlite;

/// <summary>
/// The reads of pending rows go through the partial index of pending rows, never ix_*_occurred: that index holds every
/// row ever billed, so a plan walking it grows with the table's history (and looks each row up), night after night.
/// SQLite's planner prefers it for an occurred_at range or MIN whenever it is not told otherwise.
/// </summary>
public sealed class SqliteQueryPlanTests : IAsyncLifetime
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "usagebatch-tests", Guid.NewGuid().ToString("N"));
    private SqliteDatabase _database = null!;

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(_folder);
        _database = new SqliteDatabase($"Data Source={Path.Combine(_folder, "plans.db")}");
        await new BillingStore(new SqliteDialect(_database)).ApplySchemaAsync(CancellationToken.None);
    }

    public Task DisposeAsync()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_folder, recursive: true);
        return Task.CompletedTask;
    }

    public static TheoryData<string, string> Reads()
    {
        var data = new TheoryData<string, string>();
        foreach (var table in new[] { Tables.Whop, Tables.Chargebee })
        {
            data.Add(nameof(Statements.Groups), table.Name);
            data.Add(nameof(Statements.OldestPending), table.Name);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Reads))]
    public async Task PendingReads_UseThePendingIndex_NotTheOccurredIndex(string statement, string tableName)
    {
        var table = UsageBatch.Providers.ProviderRegistry.Table(tableName);
        var statements = SqliteStatements.Build();
        var sql = statement == nameof(Statements.Groups) ? statements.Groups[table] : statements.OldestPending[table];
        await using var connection = await _database.OpenAsync(CancellationToken.None);

        var details = (await connection.QueryAsync<(long Id, long Parent, long NotUsed, string Detail)>("EXPLAIN QUERY PLAN " + sql,
            new { Cutoff = "2026-12-01T00:00:00Z", PrefixLength = 10 })).Select(r => r.Detail).ToList();

        Assert.Contains(details, d => d.Contains($"ix_{table.Name}_pending", StringComparison.Ordinal));
        Assert.DoesNotContain(details, d => d.Contains($"ix_{table.Name}_occurred", StringComparison.Ordinal));
    }
}
