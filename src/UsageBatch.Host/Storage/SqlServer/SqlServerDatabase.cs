using System.Collections.Concurrent;
using System.Data;
using Microsoft.Data.SqlClient;

namespace UsageBatch.Storage.SqlServer;

/// <summary>
/// Connections to the production database and the store's SQL text. SQL is written once as constant templates
/// in which <c>$(Schema)</c> and <c>$(UsageTable)</c> are the only placeholders: the schema is checked as a plain
/// identifier here, the usage table is one of the two fixed names. Every value travels as a parameter.
/// Uses only SqlClient APIs that 5.x/6.x keep (SqlConnection, SqlConnectionStringBuilder, SqlBulkCopy, DbCommand),
/// so upgrading past 2.1.4 (CVE-2024-0056) is a one-line change in Directory.Packages.props.
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
        if (string.IsNullOrEmpty(builder.ApplicationName) || builder.ApplicationName == ".Net SqlClient Data Provider")
        {
            // Shows up in sys.dm_exec_sessions and in DBAs' monitoring as the job, not as "a .NET app".
            builder.ApplicationName = "UsageBatch";
        }

        _connectionString = builder.ConnectionString;
        // Session-owned app locks (the run guard, the schema installer) live exactly as long as their session.
        // A pooled connection's session outlives Close(), so those locks get a connection of their own that is
        // really closed when released, and that dies with the process.
        builder.Pooling = false;
        _dedicatedConnectionString = builder.ConnectionString;
    }

    public string Schema { get; }

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

    /// <summary>An id for a varchar column: sent as varchar so the comparison can seek (nvarchar would convert the column).</summary>
    public static Dapper.DbString Ansi(string? value, int length = 100) => new() { Value = value, IsAnsi = true, Length = Math.Max(length, value?.Length ?? 0) };

    public static DateTimeOffset Utc(DateTime value) => new(DateTime.SpecifyKind(value, DateTimeKind.Utc));

    public static DateTimeOffset? Utc(DateTime? value) => value is { } v ? Utc(v) : null;

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
