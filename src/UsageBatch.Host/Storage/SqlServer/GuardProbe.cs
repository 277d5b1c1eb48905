using System.Data;
using System.Data.Common;
using Microsoft.Data.SqlClient;

namespace UsageBatch.Storage.SqlServer;

/// <summary>What a failed renewal says about the run guard's app lock.</summary>
internal enum GuardState
{
    /// <summary>The session still holds the lock: the renewal failed for another reason (a timeout, a blocked row).</summary>
    Held,

    /// <summary>The session is gone, or SQL Server says it no longer holds the lock.</summary>
    Lost,

    /// <summary>The session is open but could not be asked: keep it, and ask again at the next renewal.</summary>
    Unknown,
}

/// <summary>
/// Decides whether a renewal failure lost the guard. A command timeout (-2) or a lock timeout on the lock row does not
/// end the session, and the session owns the app lock: dropping it then would hand the job to another host for
/// nothing. Only a closed or broken connection, or <c>APPLOCK_MODE</c> answering anything but Exclusive, is a loss.
/// </summary>
internal static class GuardProbe
{
    public static GuardState FromMode(string? mode) =>
        string.Equals(mode, "Exclusive", StringComparison.Ordinal) ? GuardState.Held : GuardState.Lost;

    public static async Task<GuardState> AfterFailedRenewalAsync(DbConnection connection, Func<DbConnection, Task<string?>> readMode)
    {
        if (connection.State != ConnectionState.Open)
        {
            return GuardState.Lost;
        }

        try
        {
            return FromMode(await readMode(connection));
        }
        catch (Exception ex) when (ex is SqlException or InvalidOperationException or DbException)
        {
            // SqlClient closes the connection on a fatal error (severity 20 and up, a dropped socket).
            return connection.State == ConnectionState.Open ? GuardState.Unknown : GuardState.Lost;
        }
    }
}
