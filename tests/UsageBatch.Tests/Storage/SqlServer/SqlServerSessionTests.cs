using System.Data;
using System.Data.Common;
using Microsoft.Data.SqlClient;
using Microsoft.Data.Sqlite;
using UsageBatch.Storage;
using UsageBatch.Storage.SqlServer;

namespace UsageBatch.Tests.Storage.SqlServer;

/// <summary>The run guard's session, and the retry of short transactions after a deadlock, without a server.</summary>
public sealed class SqlServerSessionTests
{
    [Fact]
    public void SqlExceptions_TestHelper_BuildsTheNumberItIsAskedFor()
    {
        var exception = SqlExceptions.WithNumber(1205, "chosen as the deadlock victim");

        Assert.Equal(1205, exception.Number);
        Assert.True(SqlServerDatabase.IsRetried(exception));
        Assert.True(SqlServerDatabase.IsRetried(SqlExceptions.WithNumber(1222)));
        Assert.False(SqlServerDatabase.IsRetried(SqlExceptions.WithNumber(547)));
    }

    [Fact]
    public async Task GuardSession_ManyUsersAtOnce_UseTheConnectionOneAtATime()
    {
        await using var connection = new OverlapDetectingConnection();
        var session = new GuardSession(connection, runId: 7);

        // The renewal loop and maxInFlight senders renewing before their sends, all at once.
        await Task.WhenAll(Enumerable.Range(0, 16).Select(_ => Task.Run(() => session.UseAsync(c => ((OverlapDetectingConnection)c).RunCommandAsync(), CancellationToken.None))));

        Assert.Equal(16, connection.Commands);
        Assert.Equal(1, connection.MostAtOnce);
        await session.DisposeAsync();
        Assert.True(connection.WasDisposed);
    }

    [Fact]
    public async Task GuardSession_WithoutIt_TheSameCallsCollide()
    {
        // The control for the test above: the fake really sees concurrent use when nothing serializes it.
        await using var connection = new OverlapDetectingConnection();

        await Task.WhenAll(Enumerable.Range(0, 16).Select(_ => Task.Run(connection.RunCommandAsync)));

        Assert.True(connection.MostAtOnce > 1);
    }

    [Fact]
    public async Task Transaction_ChosenAsDeadlockVictim_RunsAgainFromTheStart_AndCommitsOnce()
    {
        await using var connection = await OpenSqliteAsync();
        var attempts = 0;

        var result = await SqlServerDatabase.RetryingTransactionAsync(connection, async transaction =>
        {
            attempts++;
            await using var insert = connection.CreateCommand();
            insert.Transaction = (SqliteTransaction)transaction;
            insert.CommandText = "INSERT INTO t (attempt) VALUES ($a)";
            insert.Parameters.Add(new SqliteParameter("$a", attempts));
            await insert.ExecuteNonQueryAsync();
            if (attempts < 3)
            {
                throw SqlExceptions.WithNumber(attempts == 1 ? 1205 : 1222);
            }

            return attempts;
        }, CancellationToken.None);

        Assert.Equal(3, result);
        Assert.Equal([3L], await AttemptsCommittedAsync(connection)); // the failed attempts left nothing behind
    }

    [Fact]
    public async Task Transaction_OtherSqlError_IsNotRetried()
    {
        await using var connection = await OpenSqliteAsync();
        var attempts = 0;

        var thrown = await Assert.ThrowsAsync<SqlException>(() => SqlServerDatabase.RetryingTransactionAsync<int>(connection, _ =>
        {
            attempts++;
            throw SqlExceptions.WithNumber(547);
        }, CancellationToken.None));

        Assert.Equal((547, 1), (thrown.Number, attempts));
    }

    [Fact]
    public async Task Transaction_DeadlockedEveryTime_GivesUpAfterItsAttempts()
    {
        await using var connection = await OpenSqliteAsync();
        var attempts = 0;

        var thrown = await Assert.ThrowsAsync<SqlException>(() => SqlServerDatabase.RetryingTransactionAsync<int>(connection, _ =>
        {
            attempts++;
            throw SqlExceptions.WithNumber(1205);
        }, CancellationToken.None));

        Assert.Equal((1205, SqlServerDatabase.TransactionAttempts), (thrown.Number, attempts));
        Assert.Empty(await AttemptsCommittedAsync(connection));
    }

    [Fact]
    public void ClaimTally_RestoredToAMark_ForgetsAHalfCountedAttempt()
    {
        var group = new UsageBatch.Billing.PendingGroup(new UsageBatch.Providers.SubmissionTarget("membership_id", "m", "billing_item_id", "bi", "quantity"), null, null);
        var progress = new ClaimTally(group) { SubmissionId = 5 };
        progress.Add(UsageBatch.Usage.TestRows.Whop(1, "a", null, "m", "bi", null, null, "2", "2026-01-01T00:00:00.000Z"));
        var mark = progress.Mark();
        progress.SubmissionId = 9;
        progress.Add(UsageBatch.Usage.TestRows.Whop(2, "b", null, "m", "bi", null, null, "3", "2026-01-02T00:00:00.000Z"));
        progress.Rejected.Add(new UsageBatch.Usage.RowRejection(3, "c", "bad"));

        progress.Restore(mark);

        Assert.Equal((5L, 1, 0, 2m), (progress.SubmissionId, progress.Ids.Count, progress.Rejected.Count, progress.Total));
        Assert.Equal(progress.First, progress.Last);
    }

    private static async Task<SqliteConnection> OpenSqliteAsync()
    {
        var connection = new SqliteConnection("Data Source=:memory:");
        await connection.OpenAsync();
        await using var create = connection.CreateCommand();
        create.CommandText = "CREATE TABLE t (attempt INTEGER NOT NULL)";
        await create.ExecuteNonQueryAsync();
        return connection;
    }

    private static async Task<List<long>> AttemptsCommittedAsync(SqliteConnection connection)
    {
        await using var select = connection.CreateCommand();
        select.CommandText = "SELECT attempt FROM t";
        var found = new List<long>();
        await using var reader = await select.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            found.Add(reader.GetInt64(0));
        }

        return found;
    }

    /// <summary>A connection that records how many commands ran on it at the same time.</summary>
    private sealed class OverlapDetectingConnection : UsageBatch.Tests.TestSupport.FakeDbConnection
    {
        private int _running;
        private int _mostAtOnce;
        private int _commands;

        public int MostAtOnce => _mostAtOnce;

        public int Commands => _commands;

        public bool WasDisposed { get; private set; }

        public async Task<int> RunCommandAsync()
        {
            var now = Interlocked.Increment(ref _running);
            int seen;
            while ((seen = _mostAtOnce) < now && Interlocked.CompareExchange(ref _mostAtOnce, now, seen) != seen)
            {
            }

            await Task.Delay(20);
            Interlocked.Decrement(ref _running);
            return Interlocked.Increment(ref _commands);
        }

        protected override void Dispose(bool disposing)
        {
            WasDisposed = true;
            base.Dispose(disposing);
        }
    }
}
