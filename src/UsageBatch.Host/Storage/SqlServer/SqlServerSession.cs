using System.Data.Common;
using Dapper;
using Microsoft.Data.SqlClient;

namespace UsageBatch.Storage.SqlServer;

/// <summary>
/// A pooled <see cref="SqlConnection"/> as a <see cref="StoreSession"/>: statements run through Dapper, and the value
/// codec is SQL Server's typed one. Times go as <c>datetime2</c> truncated to milliseconds like the columns (Dapper
/// would send <c>datetimeoffset</c>, which converts the column side of a comparison and defeats the index);
/// <see cref="DbString"/> ids as varchar; decimals, integers and bits as themselves.
/// </summary>
internal sealed class SqlServerSession(SqlConnection connection) : StoreSession
{
    private SqlTransaction? _transaction;

    public override DbConnection Connection => connection;

    public override DbTransaction? Transaction => _transaction;

    public override Task<T> InTransactionAsync<T>(Func<Task<T>> work, CancellationToken cancellationToken) =>
        SqlServerDatabase.RetryingTransactionAsync(connection, async transaction =>
        {
            _transaction = (SqlTransaction)transaction;
            try
            {
                return await work();
            }
            finally
            {
                _transaction = null;
            }
        }, cancellationToken);

    public override Task<int> ExecuteAsync(string sql, object? args, CancellationToken cancellationToken) =>
        connection.ExecuteAsync(Command(sql, args, cancellationToken));

    protected override Task<object?> ScalarValueAsync(string sql, object? args, CancellationToken cancellationToken) =>
        connection.ExecuteScalarAsync<object?>(Command(sql, args, cancellationToken));

    public override async Task<DbDataReader> ReaderAsync(string sql, object? args, CancellationToken cancellationToken) =>
        await connection.ExecuteReaderAsync(Command(sql, args, cancellationToken));

    public override ValueTask DisposeAsync() => connection.DisposeAsync();

    private CommandDefinition Command(string sql, object? args, CancellationToken cancellationToken) =>
        new(sql, Encode(args), _transaction, cancellationToken: cancellationToken);

    /// <summary>The arguments as Dapper parameters in SQL Server's types (times as datetime2; everything else as Dapper sends it).</summary>
    internal static DynamicParameters? Encode(object? args)
    {
        if (args is null)
        {
            return null;
        }

        var parameters = new DynamicParameters();
        foreach (var property in Properties(args))
        {
            var value = property.GetValue(args);
            var type = Nullable.GetUnderlyingType(property.PropertyType) ?? property.PropertyType;
            parameters.Add(property.Name, type == typeof(DateTimeOffset) ? SqlServerDatabase.Time((DateTimeOffset?)value) : value);
        }

        return parameters;
    }
}
