using System.Globalization;
using Microsoft.Data.Sqlite;
using UsageBatch.Usage;

namespace UsageBatch.Storage.Sqlite;

/// <summary>Opens connections to the embedded database with the settings every connection needs.</summary>
internal sealed class SqliteDatabase
{
    private readonly string _connectionString;

    public SqliteDatabase(string connectionString)
    {
        var builder = new SqliteConnectionStringBuilder(connectionString);
        // Pooling keeps prepared schema and pragmas cheap across the many short transactions a run makes.
        builder.Pooling = true;
        _connectionString = builder.ToString();
        DataSource = builder.DataSource;
    }

    public string DataSource { get; }

    public async Task<SqliteConnection> OpenAsync(CancellationToken cancellationToken)
    {
        var connection = new SqliteConnection(_connectionString);
        await connection.OpenAsync(cancellationToken);
        using (var pragma = connection.CreateCommand())
        {
            // Wait for another writer instead of failing at once (runs, DBAs and tests share the file).
            pragma.CommandText = "PRAGMA busy_timeout = 30000; PRAGMA synchronous = NORMAL;";
            await pragma.ExecuteNonQueryAsync(cancellationToken);
        }

        RegisterDecimalSum(connection);
        return connection;
    }

    /// <summary>
    /// SQLite's own SUM over TEXT returns a binary float (ten rows of 0.1 would not make 1). This aggregate sums
    /// canonical decimal text exactly; a value that is not canonical decimal makes the result NULL, so a row
    /// slipped in after validation can never be summed as something else.
    /// </summary>
    private static void RegisterDecimalSum(SqliteConnection connection)
    {
        connection.CreateAggregate<string?, DecimalSum, string?>(
            "ub_decimal_sum",
            new DecimalSum(0m, true),
            static (acc, text) => acc.Valid && text is not null && DecimalText.TryParse(text, out var v, out _)
                ? acc with { Total = acc.Total + v }
                : acc with { Valid = acc.Valid && text is null },
            static acc => acc.Valid ? DecimalText.Format(acc.Total) : null,
            isDeterministic: true);
    }

    private readonly record struct DecimalSum(decimal Total, bool Valid);

    public static string Text(decimal value) => DecimalText.Format(value);

    public static string Text(DateTimeOffset value) => UtcText.Format(value);

    public static string? Text(DateTimeOffset? value) => value is { } v ? UtcText.Format(v) : null;

    public static string Text(long value) => value.ToString(CultureInfo.InvariantCulture);
}
