using Microsoft.Data.SqlClient;
using Microsoft.Data.Sqlite;
using UsageBatch.Billing;
using UsageBatch.Configuration;

namespace UsageBatch.Cli;

/// <summary>
/// The one mapping from an exception to what the operator sees and the exit code, used by every verb (through
/// <see cref="Verb"/>): bad configuration or arguments exit 2, an unreachable database exits 3 with one line,
/// anything else exits 3 with one line. Stack traces go only to the log file.
/// </summary>
internal sealed record CliFailure(int ExitCode, IReadOnlyList<string> Lines, bool LogDetails)
{
    /// <param name="databaseKey">The setting the connection came from (<c>database.connectionString</c>, or
    /// <c>database.connectionStringEnv (NAME)</c>), named in the line when the database cannot be reached.</param>
    public static CliFailure From(Exception exception, string databaseKey = "database.connectionString") => exception switch
    {
        ConfigurationException c => new(ExitCodes.BadConfiguration, c.Errors, false),
        UsageException u => new(ExitCodes.BadConfiguration, [u.Message], false),
        SqliteException s => Unreachable(databaseKey, s.Message.TrimEnd('.')),
        // SQL Server: a server not found or refusing the connection, a failed login, a timeout, a deadlock retried out.
        SqlException s => Unreachable(databaseKey, OneLine(s.Message)),
        _ => new(ExitCodes.Aborted, [$"usagebatch: failed: {OneLine(exception.Message)}"], true),
    };

    /// <summary>The database could not be opened or used: a file locked, unreadable or not a database; a server down.</summary>
    public static CliFailure Unreachable(string databaseKey, string reason) =>
        new(ExitCodes.Aborted, [$"usagebatch: database unreachable ({databaseKey}): {reason}"], true);

    private static string OneLine(string message) => string.Join(' ', message.Split(['\r', '\n'], StringSplitOptions.RemoveEmptyEntries)).TrimEnd('.');
}
