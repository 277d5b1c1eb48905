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
        RetriedWhenAReadAsync(sql, () => connection.ExecuteScalarAsync<object?>(Command(sql, args, cancellationToken)), cancellationToken);

    /// <summary>Read to the end, so a read outside a transaction can run again after a transient fault.</summary>
    public override Task<List<T>> QueryAsync<T>(string sql, object? args, Func<DbDataReader, T> read, CancellationToken cancellationToken) =>
        RetriedWhenAReadAsync(sql, () => base.QueryAsync(sql, args, read, cancellationToken), cancellationToken);

    // Inside a transaction the whole transaction is what runs again (InTransactionAsync); a statement that may write is
    // never repeated on its own.
    private Task<T> RetriedWhenAReadAsync<T>(string sql, Func<Task<T>> work, CancellationToken cancellationToken) =>
        _transaction is null && SqlServerDatabase.IsReadOnly(sql)
            ? SqlServerDatabase.RetryingReadAsync(connection, work, cancellationToken)
            : work();

    public override async Task<DbDataReader> ReaderAsync(string sql, object? args, CancellationToken cancellationToken) =>
        await connection.ExecuteReaderAsync(Command(sql, args, cancellationToken));

    public override ValueTask DisposeAsync() => connection.DisposeAsync();

    private CommandDefinition Command(string sql, object? args, CancellationToken cancellationToken) =>
        new(sql, Encode(args), _transaction, cancellationToken: cancellationToken);

    /// <summary>
    /// Every decimal travels as decimal(38,10), whatever the value: one plan per statement (not one per value's shape),
    /// wide enough for any ledger total, and with the ledger's ten decimals.
    /// </summary>
    internal const byte DecimalPrecision = 38;

    internal const byte DecimalScale = 10;

    /// <summary>
    /// A value with more than ten decimals would be rounded by SQL Server on its way in: refused instead, naming the
    /// parameter (the caller treats such a value from a provider as an anomaly before it gets here).
    /// </summary>
    internal static decimal? Decimal(string name, decimal? value) =>
        value is { } v && Usage.DecimalText.Scale(v) > DecimalScale
            ? throw new ArgumentOutOfRangeException(name, v, $"{name} {Usage.DecimalText.Format(v)} has more than {DecimalScale} decimals; the ledger would round it")
            : value;

    /// <summary>The arguments as Dapper parameters in SQL Server's types (times as datetime2; everything else as Dapper sends it).</summary>
    internal static DynamicParameters? Encode(object? args)
    {
        if (args is null)
        {
            return null;
        }

        var parameters = new DynamicParameters();
        foreach (var (name, declared, value) in Values(args))
        {
            var type = Nullable.GetUnderlyingType(declared) ?? declared;
            if (type.IsEnum)
            {
                // Dapper would send the number; the columns hold the state's text (its mapping's ToText).
                throw new InvalidOperationException($"bind the stored text of {type.Name} (its mapping's ToText), not the enum");
            }

            if (type == typeof(decimal))
            {
                parameters.Add(name, Decimal(name, (decimal?)value), System.Data.DbType.Decimal, precision: DecimalPrecision, scale: DecimalScale);
                continue;
            }

            parameters.Add(name, type == typeof(DateTimeOffset) ? SqlServerDatabase.Time((DateTimeOffset?)value) : value);
        }

        return parameters;
    }
}
