using System.Data;
using Dapper;
using Microsoft.Data.SqlClient;
using UsageBatch.Storage;
using UsageBatch.Storage.SqlServer;
using UsageBatch.Tests.TestSupport;
using UsageBatch.Usage;

namespace UsageBatch.Tests.Storage;

/// <summary>
/// A fresh schema per test on the test server, created by `db init`'s own code and dropped after. When
/// USAGEBATCH_TEST_SQLSERVER_JOB names a second, least-privilege login, the stores under test connect as that login,
/// made a member of the schema's job role by extras/grant_job_login.sql (as a DBA would), while the test's own setup
/// and checks use the first connection: the whole contract then runs with exactly the job's grants.
/// </summary>
internal sealed class SqlServerStoreTestDatabase : IStoreTestDatabase
{
    private readonly string _connectionString;
    private readonly string _storeConnectionString;
    private readonly SqlServerDatabase _database;
    private readonly List<BillingStore> _stores = [];

    private SqlServerStoreTestDatabase(string connectionString, string storeConnectionString, string schema)
    {
        _connectionString = connectionString;
        _storeConnectionString = storeConnectionString;
        _database = new SqlServerDatabase(connectionString, schema);
        Store = Track(new BillingStore(new SqlServerDialect(new SqlServerDatabase(storeConnectionString, schema))));
    }

    public IBillingStore Store { get; }

    public string Schema => _database.Schema;

    public static async Task<SqlServerStoreTestDatabase> CreateAsync(bool applySchema = true)
    {
        var connectionString = SqlServerTestSettings.ConnectionString
            ?? throw new InvalidOperationException(SqlServerTestSettings.SkipReason);
        var schema = "ubt_" + Guid.NewGuid().ToString("N")[..16];
        var job = applySchema ? SqlServerTestSettings.JobConnectionString : null;
        if (applySchema)
        {
            await SqlServerSchema.ApplyAsync(new SqlServerDatabase(connectionString, schema), CancellationToken.None);
            if (job is not null)
            {
                await GrantJobLoginAsync(connectionString, job, schema);
            }
        }

        return new SqlServerStoreTestDatabase(connectionString, job ?? connectionString, schema);
    }

    /// <summary>Runs the DBA's extras/grant_job_login.sql for the job connection's login, batch by batch as sqlcmd would.</summary>
    private static async Task GrantJobLoginAsync(string adminConnectionString, string jobConnectionString, string schema)
    {
        var login = new SqlConnectionStringBuilder(jobConnectionString).UserID;
        var variables = new Dictionary<string, string> { ["Schema"] = schema, ["JobLogin"] = login, ["JobUser"] = login };
        await using var connection = new SqlConnection(adminConnectionString);
        await connection.OpenAsync();
        var script = await File.ReadAllTextAsync(UsageBatch.Tests.Storage.SqlServer.RepositoryFiles.PathOf("sql", "sqlserver", "extras", "grant_job_login.sql"));
        foreach (var batch in SqlCmdScript.Split(script))
        {
            await connection.ExecuteAsync(SqlCmdScript.Substitute(batch, variables));
        }
    }

    public IBillingStore OtherProcess() => Track(new BillingStore(new SqlServerDialect(new SqlServerDatabase(_storeConnectionString, _database.Schema))));

    // The process dies: its guard connection's session ends and SQL Server drops the app lock with it.
    public async Task CrashAsync(IBillingStore store) => await ((BillingStore)store).DisposeAsync();

    public async Task InsertWhopAsync(string key, string? membership, string? company, string? itemId, string? identifier, string? amount, string? quantity, DateTimeOffset? occurredAt)
    {
        await using var connection = await _database.OpenAsync(CancellationToken.None);
        var parameters = new DynamicParameters(new { key, membership, company, itemId, identifier });
        parameters.Add("amount", amount is null ? null : DecimalText.Parse(amount), DbType.Decimal);
        parameters.Add("quantity", quantity is null ? null : DecimalText.Parse(quantity), DbType.Decimal);
        parameters.Add("at", occurredAt?.UtcDateTime, DbType.DateTime2);
        await connection.ExecuteAsync(_database.Sql(
            """
            INSERT INTO [$(Schema)].whop_usage (source_key, membership_id, company_id, billing_item_id, billing_item_identifier, amount, quantity, occurred_at)
            VALUES (@key, @membership, @company, @itemId, @identifier, @amount, @quantity, @at)
            """), parameters);
    }

    public async Task InsertChargebeeAsync(string key, string subscription, string itemPrice, string quantity, DateTimeOffset? occurredAt)
    {
        await using var connection = await _database.OpenAsync(CancellationToken.None);
        var parameters = new DynamicParameters(new { key, subscription, itemPrice });
        parameters.Add("quantity", DecimalText.Parse(quantity), DbType.Decimal);
        parameters.Add("at", occurredAt?.UtcDateTime, DbType.DateTime2);
        await connection.ExecuteAsync(_database.Sql(
            "INSERT INTO [$(Schema)].chargebee_usage (source_key, subscription_id, item_price_id, quantity, occurred_at) VALUES (@key, @subscription, @itemPrice, @quantity, @at)"),
            parameters);
    }

    public async Task<IReadOnlyList<StoredRow>> RowsAsync(UsageTable table)
    {
        await using var connection = await _database.OpenAsync(CancellationToken.None);
        var template = table == Tables.Whop
            ? "SELECT id, source_key, billing_status, billing_submission_id, provider_usage_id, billing_error, COALESCE(amount, quantity) FROM [$(Schema)].whop_usage ORDER BY id"
            : "SELECT id, source_key, billing_status, billing_submission_id, provider_usage_id, billing_error, quantity FROM [$(Schema)].chargebee_usage ORDER BY id";
        var rows = await connection.QueryAsync<(long Id, string SourceKey, string Status, long? SubmissionId, string? UsageId, string? Error, decimal? Value)>(_database.Sql(template));
        var receipts = (await connection.QueryAsync<(long Id, string? ReceiptId)>(_database.Sql("SELECT id, provider_receipt_id FROM [$(Schema)].$(UsageTable)", table)))
            .ToDictionary(r => r.Id, r => r.ReceiptId);
        return rows.Select(r => new StoredRow(r.Id, r.SourceKey, r.Status, r.SubmissionId, r.UsageId, r.Error, r.Value, receipts[r.Id])).ToList();
    }

    /// <summary>The server's clock cannot be moved: every stored lease moves back instead, which is the same to the job.</summary>
    public async Task ElapseAsync(TimeSpan span)
    {
        await using var connection = await _database.OpenAsync(CancellationToken.None);
        await connection.ExecuteAsync(_database.Sql("""
            UPDATE [$(Schema)].ub_run SET lease_until = DATEADD(millisecond, -@Ms, lease_until) WHERE status = 'running';
            UPDATE [$(Schema)].ub_job_lock SET lease_until = DATEADD(millisecond, -@Ms, lease_until);
            """), new { Ms = (int)span.TotalMilliseconds });
    }

    public async Task SetStatusAsync(UsageTable table, long id, string status)
    {
        await using var connection = await _database.OpenAsync(CancellationToken.None);
        await connection.ExecuteAsync(_database.Sql("UPDATE [$(Schema)].$(UsageTable) SET billing_status = @status WHERE id = @id", table), new { id, status });
    }

    public async Task<T> ScalarAsync<T>(string template)
    {
        await using var connection = await _database.OpenAsync(CancellationToken.None);
        return (await connection.ExecuteScalarAsync<T>(_database.Sql(template)))!;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var store in _stores)
        {
            await store.DisposeAsync();
        }

        await DropSchemaAsync(_connectionString, _database.Schema);
    }

    /// <summary>Drops every table of a test schema (foreign keys first), then the schema.</summary>
    public static async Task DropSchemaAsync(string connectionString, string schema)
    {
        await using var connection = new SqlConnection(connectionString);
        await connection.OpenAsync();
        await connection.ExecuteAsync(
            """
            DECLARE @sql nvarchar(max) = N'';
            SELECT @sql += N'ALTER TABLE ' + QUOTENAME(@schema) + N'.' + QUOTENAME(OBJECT_NAME(parent_object_id)) + N' DROP CONSTRAINT ' + QUOTENAME(name) + N';'
            FROM sys.foreign_keys WHERE schema_id = SCHEMA_ID(@schema);
            SELECT @sql += N'DROP TABLE ' + QUOTENAME(@schema) + N'.' + QUOTENAME(name) + N';' FROM sys.tables WHERE schema_id = SCHEMA_ID(@schema);
            IF SCHEMA_ID(@schema) IS NOT NULL SET @sql += N'DROP SCHEMA ' + QUOTENAME(@schema) + N';';
            -- The schema's job role (009), its members first.
            DECLARE @role sysname = N'usagebatch_job_' + @schema;
            IF DATABASE_PRINCIPAL_ID(@role) IS NOT NULL
            BEGIN
                SELECT @sql += N'ALTER ROLE ' + QUOTENAME(@role) + N' DROP MEMBER ' + QUOTENAME(USER_NAME(member_principal_id)) + N';'
                FROM sys.database_role_members WHERE role_principal_id = DATABASE_PRINCIPAL_ID(@role);
                SET @sql += N'DROP ROLE ' + QUOTENAME(@role) + N';';
            END;
            EXEC sp_executesql @sql;
            """, new { schema });
    }

    private BillingStore Track(BillingStore store)
    {
        _stores.Add(store);
        return store;
    }
}
