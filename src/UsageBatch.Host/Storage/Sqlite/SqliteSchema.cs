using Dapper;
using Microsoft.Data.Sqlite;

namespace UsageBatch.Storage.Sqlite;

/// <summary>Creates or upgrades the embedded database from sql/sqlite (every script is re-runnable).</summary>
internal static class SqliteSchema
{
    public static async Task<int> ApplyAsync(SqliteDatabase database, CancellationToken cancellationToken)
    {
        var folder = Path.GetDirectoryName(Path.GetFullPath(database.DataSource));
        if (!string.IsNullOrEmpty(folder) && database.DataSource != ":memory:")
        {
            Directory.CreateDirectory(folder);
        }

        await using var connection = await database.OpenAsync(cancellationToken);
        // WAL lets reports and `status` read while a run writes; it is a property of the file, set once.
        await connection.ExecuteAsync(new CommandDefinition("PRAGMA journal_mode = WAL;", cancellationToken: cancellationToken));
        foreach (var script in SchemaScripts.For("sqlite"))
        {
            await using var transaction = (SqliteTransaction)await connection.BeginTransactionAsync(cancellationToken);
            // Only scripts above the recorded version run (checked inside the write transaction, so two processes
            // opening an old file at once apply each script once): a table rebuild (003) is not re-runnable.
            if (script.Version > await CurrentVersionAsync(connection, transaction, cancellationToken))
            {
                await connection.ExecuteAsync(new CommandDefinition(script.Text, transaction: transaction, cancellationToken: cancellationToken));
            }

            await transaction.CommitAsync(cancellationToken);
        }

        return await CurrentVersionAsync(connection, cancellationToken);
    }

    /// <summary>The schema version, read only; a database behind this build is a setup error naming the fix.</summary>
    public static async Task<int> CheckAsync(SqliteDatabase database, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        var version = await CurrentVersionAsync(connection, cancellationToken);
        var needed = SchemaScripts.LatestVersion("sqlite");
        return version >= needed
            ? version
            : throw new Configuration.ConfigurationException(
                [$"database: '{database.DataSource}' has schema version {version}; this build needs {needed}. `usagebatch db init` creates or upgrades it"]);
    }

    public static Task<int> CurrentVersionAsync(SqliteConnection connection, CancellationToken cancellationToken) =>
        CurrentVersionAsync(connection, null, cancellationToken);

    private static async Task<int> CurrentVersionAsync(SqliteConnection connection, SqliteTransaction? transaction, CancellationToken cancellationToken)
    {
        var exists = await connection.ExecuteScalarAsync<long>(new CommandDefinition(
            "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = 'ub_schema_version'", transaction: transaction, cancellationToken: cancellationToken));
        return exists == 0
            ? 0
            : await connection.ExecuteScalarAsync<int>(new CommandDefinition(
                "SELECT COALESCE(MAX(version), 0) FROM ub_schema_version", transaction: transaction, cancellationToken: cancellationToken));
    }
}
