using System.Collections.Concurrent;
using System.Data.Common;
using Dapper;
using Microsoft.Data.Sqlite;
using UsageBatch.Usage;

namespace UsageBatch.Storage.Sqlite;

/// <summary>
/// An open connection with its prepared statements, as a <see cref="StoreSession"/>. The hot paths of a run (claim,
/// mark sent, record outcome, settle) execute the same few statement shapes thousands of times; preparing each
/// once per session instead of once per call is most of their cost at 10,000 groups. The value codec is SQLite's:
/// decimals and times as canonical text, booleans as 0/1. Lists (<c>IN @Ids</c>) go through Dapper, which
/// expands them. Rented from <see cref="SqliteDatabase.RentSessionAsync"/> and returned on dispose.
/// </summary>
internal sealed class SqliteSession : StoreSession
{
    private readonly Dictionary<string, SqliteCommand> _commands = new(StringComparer.Ordinal);
    private readonly SqliteDatabase _database;
    private readonly ConcurrentBag<SqliteSession>? _home;
    private SqliteTransaction? _transaction;

    /// <param name="home">The idle pool it returns to on dispose; null for the database's writer session, which is never disposed.</param>
    internal SqliteSession(SqliteDatabase database, SqliteConnection connection, ConcurrentBag<SqliteSession>? home)
    {
        _database = database;
        SqliteConnection = connection;
        _home = home;
    }

    public SqliteConnection SqliteConnection { get; }

    public override DbConnection Connection => SqliteConnection;

    public override DbTransaction? Transaction => _transaction;

    /// <summary>The process's write gate for the file, then <c>BEGIN IMMEDIATE</c>: writers take turns, and a claim only moves rows still pending.</summary>
    public override async Task<T> InTransactionAsync<T>(Func<Task<T>> work, CancellationToken cancellationToken)
    {
        await using var write = await _database.BeginWriteAsync(SqliteConnection, cancellationToken);
        _transaction = write.Transaction;
        try
        {
            var result = await work();
            await write.CommitAsync(cancellationToken);
            return result;
        }
        finally
        {
            _transaction = null;
        }
    }

    public override Task<int> ExecuteAsync(string sql, object? args, CancellationToken cancellationToken) =>
        HasList(args)
            ? SqliteConnection.ExecuteAsync(Dapper(sql, args, cancellationToken))
            : Command(sql, args).ExecuteNonQueryAsync(cancellationToken);

    protected override async Task<object?> ScalarValueAsync(string sql, object? args, CancellationToken cancellationToken) =>
        HasList(args)
            ? await SqliteConnection.ExecuteScalarAsync<object?>(Dapper(sql, args, cancellationToken))
            : await Command(sql, args).ExecuteScalarAsync(cancellationToken);

    public override async Task<DbDataReader> ReaderAsync(string sql, object? args, CancellationToken cancellationToken) =>
        HasList(args)
            ? await SqliteConnection.ExecuteReaderAsync(Dapper(sql, args, cancellationToken))
            : await Command(sql, args).ExecuteReaderAsync(cancellationToken);

    /// <summary>The cached command for <paramref name="sql"/> (prepared on first use), bound to the transaction and the arguments.</summary>
    public SqliteCommand Command(string sql, object? args = null)
    {
        if (!_commands.TryGetValue(sql, out var command))
        {
            command = SqliteConnection.CreateCommand();
            command.CommandText = sql;
            _commands.Add(sql, command);
        }

        command.Transaction = _transaction;
        if (args is not null)
        {
            foreach (var (name, _, value) in Values(args))
            {
                command.With("@" + name, Encode(value));
            }
        }

        return command;
    }

    /// <summary>SQLite's value codec: what each argument is stored as.</summary>
    public static object? Encode(object? value) => value switch
    {
        null => null,
        DateTimeOffset time => UtcText.Format(time),
        decimal number => DecimalText.Format(number),
        bool flag => flag ? 1L : 0L,
        DbString text => text.Value,
        Enum state => throw new InvalidOperationException($"bind the stored text of {state.GetType().Name} (its mapping's ToText), not the enum"),
        _ => value,
    };

    private CommandDefinition Dapper(string sql, object? args, CancellationToken cancellationToken)
    {
        var parameters = new DynamicParameters();
        foreach (var (name, _, value) in Values(args!))
        {
            parameters.Add(name, IsList(value) ? value : Encode(value));
        }

        return new CommandDefinition(sql, parameters, _transaction, cancellationToken: cancellationToken);
    }

    public override ValueTask DisposeAsync()
    {
        if (_home is null)
        {
            return ValueTask.CompletedTask;
        }

        if (_home.Count < SqliteDatabase.MaxIdleSessions && SqliteConnection.State == System.Data.ConnectionState.Open)
        {
            foreach (var command in _commands.Values)
            {
                command.Transaction = null;
            }

            _home.Add(this);
            return ValueTask.CompletedTask;
        }

        return CloseAsync();
    }

    private async ValueTask CloseAsync()
    {
        foreach (var command in _commands.Values)
        {
            await command.DisposeAsync();
        }

        await SqliteConnection.DisposeAsync();
    }
}

/// <summary>Binding helpers for cached commands: one parameter object per name, created on first use.</summary>
internal static class SqliteCommandExtensions
{
    public static SqliteCommand With(this SqliteCommand command, string name, object? value)
    {
        var parameters = command.Parameters;
        var index = parameters.IndexOf(name);
        if (index < 0)
        {
            parameters.AddWithValue(name, value ?? DBNull.Value);
        }
        else
        {
            parameters[index].Value = value ?? DBNull.Value;
        }

        return command;
    }
}
