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
    public static CliFailure From(Exception exception) => exception switch
    {
        ConfigurationException c => new(ExitCodes.BadConfiguration, c.Errors, false),
        UsageException u => new(ExitCodes.BadConfiguration, [u.Message], false),
        SqliteException s => Unreachable(s.Message.TrimEnd('.')),
        // Further database kinds plug in here (SQL Server: SqlException on an unreachable server or a failed login).
        _ => new(ExitCodes.Aborted, [$"usagebatch: failed: {exception.Message}"], true),
    };

    /// <summary>The database could not be opened or used: a file locked, unreadable or not a database; a server down.</summary>
    public static CliFailure Unreachable(string reason) => new(ExitCodes.Aborted, [$"usagebatch: database unreachable: {reason}"], true);
}
