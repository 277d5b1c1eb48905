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
        // SQL Server: not every error is a network problem; each says what a DBA would do about it.
        SqlException s => SqlServerFailure(databaseKey, s),
        _ => new(ExitCodes.Aborted, [$"usagebatch: failed: {OneLine(exception.Message)}"], true),
    };

    /// <summary>
    /// A SqlException by what it means: the job's permissions (229/230/262/297/300: the role of sql/sqlserver/004 is
    /// missing a grant), a schema that does not match this build (207/208: a script was skipped), a value the database
    /// refused (2628 truncation, 8115/8152 overflow or too long, 515 a NULL, 547 a constraint, 2601/2627 a duplicate key), or
    /// else unreachable (a server not found or refusing, a failed login, a timeout, a deadlock retried out).
    /// </summary>
    internal static CliFailure SqlServerFailure(string databaseKey, SqlException exception)
    {
        var reason = $"SQL Server error {exception.Number}: {OneLine(exception.Message)}";
        return exception.Number switch
        {
            229 or 230 or 262 or 297 or 300 => new(ExitCodes.Aborted,
                [$"usagebatch: database permission denied ({databaseKey}): {reason}; the job's login needs the usagebatch_job role (sql/sqlserver/004_job_role.sql, README \"For DBAs\")"], true),
            207 or 208 => new(ExitCodes.Aborted,
                [$"usagebatch: database schema does not match this build ({databaseKey}): {reason}; apply sql/sqlserver/ in order (README \"For DBAs\") or run `usagebatch db init`"], true),
            2628 or 8115 or 8152 or 515 or 547 or 2601 or 2627 => new(ExitCodes.Aborted,
                [$"usagebatch: database refused a value ({databaseKey}): {reason}"], true),
            _ => Unreachable(databaseKey, OneLine(exception.Message)),
        };
    }

    /// <summary>The database could not be opened or used: a file locked, unreadable or not a database; a server down.</summary>
    public static CliFailure Unreachable(string databaseKey, string reason) =>
        new(ExitCodes.Aborted, [$"usagebatch: database unreachable ({databaseKey}): {reason}"], true);

    private static string OneLine(string message) => string.Join(' ', message.Split(['\r', '\n'], StringSplitOptions.RemoveEmptyEntries)).TrimEnd('.');
}
