using System.Data.Common;

namespace UsageBatch.Storage.SqlServer;

/// <summary>
/// The run guard's own session: the connection whose session owns the job's app lock, for the whole run. A
/// connection is not thread-safe and MARS is off, yet the lease renewal loop, the senders' renew-before-send (up to
/// maxInFlight at once) and the release all need it; a collision would throw and could end the very session that
/// holds the lock. So every use goes through <see cref="UseAsync{T}"/>, one at a time.
/// </summary>
internal sealed class GuardSession(DbConnection connection, long runId) : IAsyncDisposable
{
    private readonly SemaphoreSlim _turn = new(1, 1);

    public long RunId { get; } = runId;

    public async Task<T> UseAsync<T>(Func<DbConnection, Task<T>> work, CancellationToken cancellationToken)
    {
        await _turn.WaitAsync(cancellationToken);
        try
        {
            return await work(connection);
        }
        finally
        {
            _turn.Release();
        }
    }

    public async ValueTask DisposeAsync()
    {
        // Waits for a use in progress, so the connection is never closed under a running command.
        await _turn.WaitAsync();
        try
        {
            await connection.DisposeAsync();
        }
        finally
        {
            _turn.Release();
        }
    }
}
