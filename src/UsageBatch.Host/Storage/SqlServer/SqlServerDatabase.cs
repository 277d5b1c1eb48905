using System.Collections.Concurrent;
using System.Data;
using System.Data.Common;
using Microsoft.Data.SqlClient;

namespace UsageBatch.Storage.SqlServer;

/// <summary>
/// Connections to the production database and the store's SQL text. SQL is written once as constant templates
/// in which <c>$(Schema)</c> and <c>$(UsageTable)</c> are the only placeholders: the schema is checked as a plain
/// identifier here, the usage table is one of the two fixed names. Every value travels as a parameter.
/// </summary>
internal sealed class SqlServerDatabase
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

    /// <summary>SQL Server errors a short transaction is simply run again for: 1205 chosen as deadlock victim, 1222 lock request timeout.</summary>
    public static readonly IReadOnlySet<int> RetriedErrors = new HashSet<int> { 1205, 1222 };

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

    /// <summary>The retry loop of <see cref="InTransactionAsync{T}"/>, on any connection (tests drive it without a server).</summary>
    internal static async Task<T> RetryingTransactionAsync<T>(DbConnection connection, Func<DbTransaction, Task<T>> work, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await using var transaction = await connection.BeginTransactionAsync(IsolationLevel.ReadCommitted, cancellationToken);
                var result = await work(transaction);
                await transaction.CommitAsync(cancellationToken);
                return result;
            }
            catch (SqlException ex) when (attempt < TransactionAttempts && IsRetried(ex))
            {
                // Disposing the transaction above rolled back whatever survived; wait, then start over.
                await Task.Delay(RetryPause(attempt), cancellationToken);
            }
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
        var connection = new SqlConnection(_connectionString);
        await connection.OpenAsync(cancellationToken);
        return connection;
    }

    /// <summary>An unpooled connection: its session ends when it is disposed (or when this process dies).</summary>
    public async Task<SqlConnection> OpenDedicatedAsync(CancellationToken cancellationToken)
    {
        var connection = new SqlConnection(_dedicatedConnectionString);
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
            // Only the two fixed table names; never anything read from input.
            table = UsageTable.Parse(table).Name;
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
