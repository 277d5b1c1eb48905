using System.Data;
using System.Data.Common;
using System.Globalization;
using Microsoft.Data.SqlClient;
using Microsoft.Data.Sqlite;
using UsageBatch.Storage.SqlServer;
using UsageBatch.Tests.TestSupport;

namespace UsageBatch.Tests.Storage.SqlServer;

/// <summary>
/// What SQL Server in operation throws at a short transaction, driven without a server: transient faults (failovers,
/// a busy Azure SQL, dropped connections, timeouts) run the transaction again from the start, but never a failure of
/// the commit itself, whose outcome is unknown.
/// </summary>
public sealed class TransientFaultTests
{
    [Theory]
    [InlineData(40613)]
    [InlineData(40197)]
    [InlineData(40501)]
    [InlineData(49918)]
    [InlineData(49919)]
    [InlineData(49920)]
    [InlineData(10928)]
    [InlineData(10929)]
    [InlineData(4060)]
    [InlineData(233)]
    [InlineData(10053)]
    [InlineData(10054)]
    [InlineData(64)]
    [InlineData(-2)]
    [InlineData(1205)]
    [InlineData(1222)]
    public async Task TransientFaultBeforeTheCommit_RunsTheTransactionAgain(int number)
    {
        await using var connection = new SqliteConnection("Data Source=:memory:");
        await connection.OpenAsync();
        var attempts = 0;

        var result = await SqlServerDatabase.RetryingTransactionAsync(connection, _ =>
        {
            attempts++;
            return attempts == 1 ? throw SqlExceptions.WithNumber(number) : Task.FromResult(attempts);
        }, CancellationToken.None);

        Assert.Equal(2, result);
    }

    [Theory]
    [InlineData(547)]  // a constraint
    [InlineData(229)]  // permission denied
    [InlineData(207)]  // a column missing
    [InlineData(8115)] // arithmetic overflow
    public void NotTransient_IsNotRetried(int number) => Assert.False(SqlServerDatabase.IsRetried(SqlExceptions.WithNumber(number)));

    [Fact]
    public async Task ConnectionDroppedDuringTheCommit_IsNotRunAgain()
    {
        await using var connection = new CommitFailingConnection();
        var attempts = 0;

        var thrown = await Assert.ThrowsAsync<SqlException>(() => SqlServerDatabase.RetryingTransactionAsync(connection, _ =>
        {
            attempts++;
            return Task.FromResult(attempts);
        }, CancellationToken.None));

        Assert.Equal((10054, 1), (thrown.Number, attempts));
    }

    [Fact]
    public async Task TransientFaultDuringAReadOutsideATransaction_ReadsAgain()
    {
        await using var connection = new SqliteConnection("Data Source=:memory:");
        await connection.OpenAsync();
        var attempts = 0;

        var result = await SqlServerDatabase.RetryingReadAsync(connection, () =>
        {
            attempts++;
            return attempts < 3 ? throw SqlExceptions.WithNumber(40613, "Database is not currently available") : Task.FromResult("rows");
        }, CancellationToken.None);

        Assert.Equal(("rows", 3), (result, attempts));
    }

    [Fact]
    public async Task AReadFailingForGood_GivesUpAfterTheLastAttempt()
    {
        await using var connection = new SqliteConnection("Data Source=:memory:");
        await connection.OpenAsync();
        var attempts = 0;

        await Assert.ThrowsAsync<SqlException>(() => SqlServerDatabase.RetryingReadAsync<int>(connection, () =>
        {
            attempts++;
            throw SqlExceptions.WithNumber(-2, "Execution Timeout Expired");
        }, CancellationToken.None));

        Assert.Equal(SqlServerDatabase.TransactionAttempts, attempts);
    }

    [Theory]
    [InlineData(nameof(SqlServerStatements.SubmissionsOfRunSql), true)]
    [InlineData(nameof(SqlServerStatements.EventsOfRunSql), true)]
    [InlineData(nameof(SqlServerStatements.ConsoleExceptionGroupsSql), true)]
    [InlineData(nameof(SqlServerStatements.SettleBatchSql), false)]
    [InlineData(nameof(SqlServerStatements.CarryUnreportedSql), false)]
    [InlineData(nameof(SqlServerStatements.MarkSentSql), false)]
    [InlineData(nameof(SqlServerStatements.HoldRequeuedSql), false)]
    public void OnlyStatementsThatCannotWrite_AreReadAgainOnTheirOwn(string name, bool readOnly)
    {
        var sql = (string)typeof(SqlServerStatements).GetField(name, System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Static)!.GetValue(null)!;
        Assert.Equal(readOnly, SqlServerDatabase.IsReadOnly(sql));
    }

    [Fact]
    public void UsageTableStatements_OnlyTheClaimWrites()
    {
        foreach (var module in UsageBatch.Providers.ProviderRegistry.BuiltIn)
        {
            Assert.All(SqlServerUsageStatements.All(module.Table), s =>
                Assert.Equal(s.Name != nameof(SqlServerUsageStatements.ClaimBatch), SqlServerDatabase.IsReadOnly(s.Template)));
        }
    }

    [Fact]
    public void EveryStatementTakenForARead_WritesNothing()
    {
        var statements = typeof(SqlServerStatements).GetFields(System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Public | System.Reflection.BindingFlags.Static)
            .Where(f => f.FieldType == typeof(string)).Select(f => (f.Name, Sql: (string)f.GetValue(null)!))
            .Concat(UsageBatch.Providers.ProviderRegistry.BuiltIn.SelectMany(m => SqlServerUsageStatements.All(m.Table)).Select(s => (s.Name, Sql: s.Template)))
            .ToList();

        var reads = statements.Where(s => SqlServerDatabase.IsReadOnly(s.Sql)).ToList();

        Assert.True(reads.Count >= 20, $"only {reads.Count} statements are retried as reads");
        Assert.All(reads, r => Assert.DoesNotMatch(@"(?i)\b(INSERT|UPDATE|DELETE|MERGE|EXEC|sp_getapplock|OUTPUT)\b", r.Sql));
    }

    [Fact]
    public void LockTimeout_TheStatementSaysTheSameAsTheSetting() =>
        Assert.Equal(SqlServerStatements.SetLockTimeoutSql, $"SET LOCK_TIMEOUT {SqlServerDatabase.LockTimeout.TotalMilliseconds.ToString(CultureInfo.InvariantCulture)};");

    /// <summary>A connection whose commits fail as a dropped connection does: after the work ran.</summary>
    private sealed class CommitFailingConnection : FakeDbConnection
    {
        protected override DbTransaction BeginDbTransaction(IsolationLevel isolationLevel) => new FailingTransaction(this);

        private sealed class FailingTransaction(DbConnection connection) : DbTransaction
        {
            public override IsolationLevel IsolationLevel => IsolationLevel.ReadCommitted;

            protected override DbConnection DbConnection => connection;

            public override void Commit() => throw SqlExceptions.WithNumber(10054, "An existing connection was forcibly closed by the remote host");

            public override void Rollback()
            {
            }
        }
    }
}
