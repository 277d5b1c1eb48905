using System.Collections.Concurrent;
using System.Data;
using System.Data.Common;
using Microsoft.Data.SqlClient;
using static UsageBatch.Storage.SqlServer.SqlServerStatements;

namespace UsageBatch.Storage.SqlServer;

/// <summary>
/// Connections to the production database and the store's SQL text. SQL is written once as constant templates
/// in which <c>$(Schema)</c> and <c>$(UsageTable)</c> are the only placeholders: the schema is checked as a plain
/// identifier here, the usage table is one of the two fixed names. Every value travels as a parameter.
/// </summary>
internal sealed partial class SqlServerDatabase
{
    private readonly string _connectionString;
    private readonly string _dedicatedConnectionString;
    private readonly ConcurrentDictionary<(string Template, string Table), string> _sql = new();

    public SqlServerDatabase(string connectionString, string schema)
    {
        Schema = SqlCmdScript.RequireIdentifier(schema, "database.schema");
        var builder = new SqlConnectionStringBuilder(connectionString);
        if (!NamesApplication(connectionString))
        {
            // Shows up as program_name in sys.dm_exec_sessions and in DBAs' monitoring as the job, not as the
            // driver's default ("Core Microsoft SqlClient Data Provider"). A name the DBA chose is kept.
            builder.ApplicationName = ApplicationName;
        }

        _connectionString = builder.ConnectionString;
        // Session-owned app locks (the run guard, the schema installer) live exactly as long as their session.
        // A pooled connection's session outlives Close(), so those locks get a connection of their own that is
        // really closed when released, and that dies with the process.
        builder.Pooling = false;
        _dedicatedConnectionString = builder.ConnectionString;
    }

    public const string ApplicationName = "UsageBatch";

    /// <summary>
    /// Transient faults (SqlClient's own list for Azure SQL and availability-group reconfigurations, plus timeouts):
    /// 40613 database unavailable, 40197 service error while processing, 40501 service busy, 49918–49920 not enough
    /// resources / too many operations, 10928/10929 resource limits, 4060 database cannot be opened (failover in
    /// progress), 233 / 10053 / 10054 / 64 the connection was dropped, -2 a command timed out.
    /// </summary>
    public static readonly IReadOnlySet<int> TransientErrors = new HashSet<int> { 40613, 40197, 40501, 49918, 49919, 49920, 10928, 10929, 4060, 233, 10053, 10054, 64, -2 };

    /// <summary>
    /// SQL Server errors a short transaction is simply run again for, from the start: 1205 chosen as deadlock victim,
    /// 1222 lock request timeout (see <see cref="LockTimeout"/>), and the <see cref="TransientErrors"/>.
    /// </summary>
    public static readonly IReadOnlySet<int> RetriedErrors = new HashSet<int>(TransientErrors) { 1205, 1222 };

    /// <summary>
    /// How long one statement of a short transaction waits for a lock before SQL Server says 1222 and the transaction
    /// runs again (instead of waiting out the 30 s command timeout and aborting the run): blocked by a DBA's load of
    /// more than 5,000 rows, say. Five attempts with their pauses wait about 50 s in all.
    /// </summary>
    public static readonly TimeSpan LockTimeout = TimeSpan.FromSeconds(10);

    /// <summary>Opening a connection retries transient faults (a failover, a busy service) with exponential back-off.</summary>
    private static readonly SqlRetryLogicBaseProvider OpenRetry = SqlConfigurableRetryFactory.CreateExponentialRetryProvider(new SqlRetryLogicOption
    {
        NumberOfTries = 5,
        DeltaTime = TimeSpan.FromSeconds(1),
        MaxTimeInterval = TimeSpan.FromSeconds(20),
        TransientErrors = TransientErrors,
    });

    /// <summary>Attempts of one transaction before a deadlock or lock timeout is given up on (and the run aborts).</summary>
    public const int TransactionAttempts = 5;

    public string Schema { get; }

    /// <summary>The connection string the store opens (exposed for tests of the connection path).</summary>
    internal string ConnectionString => _connectionString;

    /// <summary>
    /// Runs <paramref name="work"/> in one READ COMMITTED transaction on <paramref name="connection"/> and commits it.
    /// A deadlock (1205: SQL Server has already rolled the transaction back) or a lock timeout (1222: the transaction
    /// is rolled back here) runs the whole transaction again after a short, growing pause; nothing outside it may
    /// change before it commits, so <paramref name="work"/> must be safe to run again from the start.
    /// </summary>
    public static Task<T> InTransactionAsync<T>(SqlConnection connection, Func<SqlTransaction, Task<T>> work, CancellationToken cancellationToken) =>
        RetryingTransactionAsync(connection, transaction => work((SqlTransaction)transaction), cancellationToken);

    /// <summary>
    /// The retry loop of <see cref="InTransactionAsync{T}"/>, on any connection (tests drive it without a server).
    /// Only a failure before the commit is retried: a connection dropped during the commit does not say whether it
    /// happened, and running the work again could do it twice. That failure aborts the run, and the ledger-driven
    /// recovery of the next run finishes whatever did commit.
    /// </summary>
    internal static async Task<T> RetryingTransactionAsync<T>(DbConnection connection, Func<DbTransaction, Task<T>> work, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            DbTransaction? transaction = null;
            T result;
            try
            {
                await ReopenIfDroppedAsync(connection, cancellationToken);
                transaction = await connection.BeginTransactionAsync(IsolationLevel.ReadCommitted, cancellationToken);
                await SetLockTimeoutAsync(connection, transaction, cancellationToken);
                result = await work(transaction);
            }
            catch (SqlException ex) when (attempt < TransactionAttempts && IsRetried(ex))
            {
                // Disposing the transaction rolls back whatever survived (SQL Server already did, for a deadlock or a
                // dropped connection); wait, then start over.
                await DisposeQuietlyAsync(transaction);
                await Task.Delay(RetryPause(attempt), cancellationToken);
                continue;
            }
            catch
            {
                await DisposeQuietlyAsync(transaction);
                throw;
            }

            await using (transaction)
            {
                await transaction.CommitAsync(cancellationToken);
            }

            return result;
        }
    }

    /// <summary>
    /// A read outside any transaction, run again after a transient fault (a failover, a dropped connection, a timeout, a
    /// deadlock victim), up to <see cref="TransactionAttempts"/> times. Only for statements that cannot write
    /// (<see cref="IsReadOnly"/>), whose rows are read to the end inside <paramref name="read"/>: repeating it repeats
    /// nothing.
    /// </summary>
    internal static async Task<T> RetryingReadAsync<T>(DbConnection connection, Func<Task<T>> read, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await ReopenIfDroppedAsync(connection, cancellationToken);
                return await read();
            }
            catch (SqlException ex) when (attempt < TransactionAttempts && IsRetried(ex))
            {
                await Task.Delay(RetryPause(attempt), cancellationToken);
            }
        }
    }

    /// <summary>
    /// A batch that only reads: it starts with SELECT (or a WITH of one) and names no statement that writes or runs
    /// code. Conservative on purpose: a write spelled any other way is simply not retried.
    /// </summary>
    internal static bool IsReadOnly(string sql) => ReadOnlyStart().IsMatch(sql) && !WritingWord().IsMatch(sql);

    [System.Text.RegularExpressions.GeneratedRegex(@"^\s*(SELECT|WITH)\b", System.Text.RegularExpressions.RegexOptions.IgnoreCase)]
    private static partial System.Text.RegularExpressions.Regex ReadOnlyStart();

    [System.Text.RegularExpressions.GeneratedRegex(@"\b(INSERT|UPDATE|DELETE|MERGE|EXEC|EXECUTE|INTO|DECLARE|SET|CREATE|ALTER|DROP|TRUNCATE)\b", System.Text.RegularExpressions.RegexOptions.IgnoreCase)]
    private static partial System.Text.RegularExpressions.Regex WritingWord();

    /// <summary>A pooled connection whose session was dropped (233, 10054 …) is opened again: the pool hands a live one.</summary>
    private static async Task ReopenIfDroppedAsync(DbConnection connection, CancellationToken cancellationToken)
    {
        if (connection.State != ConnectionState.Open)
        {
            await connection.CloseAsync();
            await connection.OpenAsync(cancellationToken);
        }
    }

    private static async Task SetLockTimeoutAsync(DbConnection connection, DbTransaction transaction, CancellationToken cancellationToken)
    {
        if (connection is not SqlConnection)
        {
            return; // the tests' stand-in connection
        }

        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = SetLockTimeoutSql;
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private static async Task DisposeQuietlyAsync(DbTransaction? transaction)
    {
        if (transaction is null)
        {
            return;
        }

        try
        {
            await transaction.DisposeAsync();
        }
        catch (Exception ex) when (ex is SqlException or InvalidOperationException)
        {
            // The connection is gone, and the server rolled the transaction back with it.
        }
    }

    public static Task InTransactionAsync(SqlConnection connection, Func<SqlTransaction, Task> work, CancellationToken cancellationToken) =>
        InTransactionAsync(connection, async transaction =>
        {
            await work(transaction);
            return true;
        }, cancellationToken);

    public static bool IsRetried(SqlException exception) => exception.Errors.Cast<SqlError>().Any(e => RetriedErrors.Contains(e.Number));

    /// <summary>50, 100, 200, 400 ms, each with up to half again of jitter so two victims do not collide again in step.</summary>
    internal static TimeSpan RetryPause(int attempt)
    {
        var baseMs = 50 * (1 << Math.Min(attempt - 1, 6));
        return TimeSpan.FromMilliseconds(baseMs + Random.Shared.Next(baseMs / 2 + 1));
    }

    /// <summary>Whether the connection string itself names an application ("Application Name" or its synonym "App").</summary>
    internal static bool NamesApplication(string connectionString)
    {
        var keys = new DbConnectionStringBuilder { ConnectionString = connectionString };
        return (keys.TryGetValue("Application Name", out var name) || keys.TryGetValue("App", out name))
            && !string.IsNullOrWhiteSpace(name as string);
    }

    public async Task<SqlConnection> OpenAsync(CancellationToken cancellationToken)
    {
        var connection = new SqlConnection(_connectionString) { RetryLogicProvider = OpenRetry };
        await connection.OpenAsync(cancellationToken);
        return connection;
    }

    /// <summary>An unpooled connection: its session ends when it is disposed (or when this process dies).</summary>
    public async Task<SqlConnection> OpenDedicatedAsync(CancellationToken cancellationToken)
    {
        var connection = new SqlConnection(_dedicatedConnectionString) { RetryLogicProvider = OpenRetry };
        await connection.OpenAsync(cancellationToken);
        return connection;
    }

    /// <summary>Expands a constant SQL template for this schema (and usage table).</summary>
    public string Sql(string template, UsageTable? table = null) =>
        _sql.GetOrAdd((template, table?.Name ?? ""), static (key, schema) => Expand(key.Template, schema, key.Table), Schema);

    internal static string Expand(string template, string schema, string table)
    {
        if (table.Length > 0)
        {
            // Only a known provider's table name; never anything read from input.
            table = Providers.ProviderRegistry.Table(table).Name;
        }
        else if (template.Contains("$(UsageTable)", StringComparison.Ordinal))
        {
            throw new InvalidOperationException("this statement needs a usage table");
        }

        return SqlCmdScript.Substitute(template, new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["Schema"] = schema,
            ["UsageTable"] = table.Length > 0 ? table : "_",
        });
    }

    /// <summary>
    /// A UTC instant as a <c>datetime2</c> parameter (Dapper would send DateTime as <c>datetime</c>, which rounds to
    /// 1/300 s and converts the column side of a comparison). Truncated to milliseconds like the columns, so a
    /// value written and compared later is the same value, as on SQLite.
    /// </summary>
    public static SqlTime Time(DateTimeOffset value) => new(Truncate(value));

    public static SqlTime Time(DateTimeOffset? value) => new(value is { } v ? Truncate(v) : null);

    private static DateTime Truncate(DateTimeOffset value)
    {
        var ticks = value.UtcTicks - (value.UtcTicks % TimeSpan.TicksPerMillisecond);
        return new DateTime(ticks, DateTimeKind.Utc);
    }

    internal readonly record struct SqlTime(DateTime? Value) : Dapper.SqlMapper.ICustomQueryParameter
    {
        public void AddParameter(IDbCommand command, string name)
        {
            var parameter = command.CreateParameter();
            parameter.ParameterName = name;
            parameter.DbType = DbType.DateTime2;
            parameter.Value = Value is { } v ? v : DBNull.Value;
            command.Parameters.Add(parameter);
        }
    }
}
