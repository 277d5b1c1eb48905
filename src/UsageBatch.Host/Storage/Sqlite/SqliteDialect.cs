using UsageBatch.Usage;
using static UsageBatch.Storage.Sqlite.SqliteStatements;

namespace UsageBatch.Storage.Sqlite;

/// <summary>How the embedded database's run claims and settles (the tests can run SQL Server's plan on it too).</summary>
internal enum SqlitePlan
{
    /// <summary>Id-ordered passes over the usage table (<see cref="SqlitePasses"/>): the default, each page written once per pass.</summary>
    Passes,

    /// <summary>SQL Server's plan (<see cref="GroupBatches"/>), so the algorithm production runs is executed by the tests here.</summary>
    GroupBatches,
}

/// <summary>
/// The embedded SQLite database: the job's own file, created or upgraded when a writer opens it; one writer at a
/// time (an in-process gate, then <c>BEGIN IMMEDIATE</c>); a lease row as the run guard; id-ordered passes as the
/// run's plan.
/// </summary>
internal sealed class SqliteDialect : StoreDialect
{
    private static readonly Statements Statements = Build();

    private readonly SqliteDatabase _database;
    private readonly bool _schemaReadOnly;
    private readonly SqlitePlan _plan;

    /// <param name="schemaReadOnly">For verbs that must change nothing (validate, status, report, a dry run): the
    /// schema is only checked, never created or upgraded.</param>
    public SqliteDialect(SqliteDatabase database, bool schemaReadOnly = false, SqlitePlan plan = SqlitePlan.Passes)
    {
        _database = database;
        _schemaReadOnly = schemaReadOnly;
        _plan = plan;
    }

    public override string Name => "sqlite";

    public override Statements Sql => Statements;

    /// <summary>The database this dialect opens (the demo seeds it directly).</summary>
    internal SqliteDatabase Database => _database;

    // SQLite locks the whole file for a write transaction: no escalation to stay under, only short transactions.
    public override int RowsPerStatement(int batchSize) => batchSize;

    public override int MaxRowsPerStatement => SqlitePasses.PassRows;

    public override async Task<StoreSession> OpenAsync(CancellationToken cancellationToken) => await _database.RentSessionAsync(cancellationToken);

    public override async Task<T> WriteAsync<T>(Func<StoreSession, Task<T>> work, CancellationToken cancellationToken)
    {
        var writer = await _database.WriterAsync(cancellationToken);
        return await writer.InTransactionAsync(() => work(writer), cancellationToken);
    }

    public override async Task<int> EnsureSchemaAsync(CancellationToken cancellationToken) =>
        _schemaReadOnly ? await SqliteSchema.CheckAsync(_database, cancellationToken) : await SqliteSchema.ApplyAsync(_database, cancellationToken);

    public override Task<int> ApplySchemaAsync(CancellationToken cancellationToken) => SqliteSchema.ApplyAsync(_database, cancellationToken);

    public override async Task<int> SchemaVersionAsync(CancellationToken cancellationToken)
    {
        await using var connection = await _database.OpenAsync(cancellationToken);
        return await SqliteSchema.CurrentVersionAsync(connection, cancellationToken);
    }

    public override async Task StageRejectionsAsync(StoreSession session, IReadOnlyList<RowRejection> rejections, CancellationToken cancellationToken)
    {
        foreach (var row in rejections)
        {
            await session.ExecuteAsync(StageRejectionSql, new { row.RowId, row.SourceKey, row.Reason }, cancellationToken);
        }
    }

    public override RunPlan CreatePlan(BillingStore store) => _plan == SqlitePlan.Passes ? new SqlitePasses(store, this) : new GroupBatches(store, this);

    public override Task<bool> TryAcquireGuardAsync(string job, long runId, TimeSpan lease, CancellationToken cancellationToken) =>
        WriteAsync(async session => await session.ExecuteAsync(TakeJobLockSql, new { Job = job, RunId = runId, LeaseMs = Arg.Milliseconds(lease) }, cancellationToken) == 1,
            cancellationToken);

    public override async Task<long?> GuardHolderAsync(string job, CancellationToken cancellationToken)
    {
        await using var session = await OpenAsync(cancellationToken);
        return await session.ScalarAsync<long?>(JobLockHolderSql, new { Job = job }, cancellationToken);
    }

    public override Task ReleaseGuardAsync(string job, long runId, CancellationToken cancellationToken) =>
        WriteAsync(session => session.ExecuteAsync(ReleaseJobLockSql, new { Job = job, RunId = runId }, cancellationToken), cancellationToken);

    public override Task RenewGuardAsync(string job, long runId, TimeSpan lease, CancellationToken cancellationToken) =>
        WriteAsync(session => session.ExecuteAsync(RenewJobLockSql, new { Job = job, RunId = runId, LeaseMs = Arg.Milliseconds(lease) }, cancellationToken), cancellationToken);
}
