using System.Collections.Concurrent;
using Microsoft.Data.Sqlite;

namespace UsageBatch.Storage.Sqlite;

/// <summary>
/// An open connection with its prepared statements, rented from <see cref="SqliteDatabase.RentSessionAsync"/> and
/// returned on dispose. The hot paths of a run (claim, mark sent, record outcome, settle) execute the same few
/// statement shapes thousands of times; preparing each once per session instead of once per call is most of
/// their cost at 10,000 groups. Not thread-safe: one caller at a time, like a connection.
/// </summary>
internal sealed class SqliteSession : IAsyncDisposable
{
    private readonly Dictionary<string, SqliteCommand> _commands = new(StringComparer.Ordinal);
    private readonly ConcurrentBag<SqliteSession>? _home;

    /// <param name="home">The idle pool it returns to on dispose; null for the database's writer session, which is never disposed.</param>
    internal SqliteSession(SqliteConnection connection, ConcurrentBag<SqliteSession>? home)
    {
        Connection = connection;
        _home = home;
    }

    public SqliteConnection Connection { get; }

    /// <summary>The cached command for <paramref name="sql"/> (prepared on first use), bound to <paramref name="transaction"/>.</summary>
    public SqliteCommand Command(string sql, SqliteTransaction? transaction)
    {
        if (!_commands.TryGetValue(sql, out var command))
        {
            command = Connection.CreateCommand();
            command.CommandText = sql;
            _commands.Add(sql, command);
        }

        command.Transaction = transaction;
        return command;
    }

    public ValueTask DisposeAsync()
    {
        if (_home is null)
        {
            return ValueTask.CompletedTask;
        }

        if (_home.Count < SqliteDatabase.MaxIdleSessions && Connection.State == System.Data.ConnectionState.Open)
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

        await Connection.DisposeAsync();
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
