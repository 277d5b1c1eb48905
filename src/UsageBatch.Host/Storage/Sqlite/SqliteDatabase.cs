using System.Collections.Concurrent;
using System.Globalization;
using Microsoft.Data.Sqlite;
using UsageBatch.Usage;

namespace UsageBatch.Storage.Sqlite;

/// <summary>Opens connections to the embedded database with the settings every connection needs.</summary>
internal sealed class SqliteDatabase
{
    private readonly string _connectionString;

    /// <param name="clock">
    /// The database's clock: every lease is written and compared on it (ub_now() in the statements), never on a run's
    /// own. For the embedded file that is this process's clock; tests give it the time they control.
    /// </param>
    public SqliteDatabase(string connectionString, TimeProvider? clock = null)
    {
        Clock = clock ?? TimeProvider.System;
        var builder = new SqliteConnectionStringBuilder(connectionString);
        // Pooling keeps prepared schema and pragmas cheap across the many short transactions a run makes.
        builder.Pooling = true;
        _connectionString = builder.ToString();
        DataSource = builder.DataSource;
    }

    public string DataSource { get; }

    public TimeProvider Clock { get; }

    /// <summary>
    /// Sessions kept open between calls; more are closed when returned. The senders' hot writes share the one writer
    /// session (<see cref="WriterAsync"/>), so what the senders rent is for their occasional reads.
    /// </summary>
    internal const int MaxIdleSessions = 8;

    private readonly ConcurrentBag<SqliteSession> _idle = new();

    // One writer at a time inside this process, per database file: SQLite allows one anyway, and a writer that
    // finds the file locked sleeps in the busy handler (1, 2, 5, 10 … ms), which is what concurrent senders did.
    // Other processes still meet SQLite's own lock and busy timeout.
    private static readonly ConcurrentDictionary<string, SemaphoreSlim> WriteGates = new(StringComparer.Ordinal);

    private SemaphoreSlim WriteGate => WriteGates.GetOrAdd(Path.GetFullPath(DataSource), static _ => new SemaphoreSlim(1, 1));

    /// <summary>An open session (connection plus cached prepared statements) for the hot paths; dispose returns it.</summary>
    public async Task<SqliteSession> RentSessionAsync(CancellationToken cancellationToken)
    {
        if (_idle.TryTake(out var session))
        {
            return session;
        }

        return new SqliteSession(this, await OpenAsync(cancellationToken), _idle);
    }

    /// <summary>
    /// Begins a write transaction (<c>BEGIN IMMEDIATE</c>) after taking this process's write gate for the file;
    /// disposing the returned scope ends the transaction (rolled back unless committed) and releases the gate.
    /// </summary>
    public async Task<WriteScope> BeginWriteAsync(SqliteConnection connection, CancellationToken cancellationToken)
    {
        var gate = WriteGate;
        await gate.WaitAsync(cancellationToken);
        try
        {
            return new WriteScope((SqliteTransaction)await connection.BeginTransactionAsync(cancellationToken), gate);
        }
        catch
        {
            gate.Release();
            throw;
        }
    }

    private SqliteSession? _writer;
    private readonly SemaphoreSlim _writerOpening = new(1, 1);

    /// <summary>
    /// This database's one writer session. Small hot transactions (mark sent, record outcome) always land on the
    /// same connection, whose page cache therefore stays valid between them (a connection's cache is dropped
    /// whenever another connection wrote in between). Shared: it is used only inside its transactions, which take
    /// the write gate, so one caller at a time.
    /// </summary>
    public async Task<SqliteSession> WriterAsync(CancellationToken cancellationToken)
    {
        if (_writer is { } writer)
        {
            return writer;
        }

        await _writerOpening.WaitAsync(cancellationToken);
        try
        {
            return _writer ??= new SqliteSession(this, await OpenAsync(cancellationToken), null);
        }
        finally
        {
            _writerOpening.Release();
        }
    }

    /// <summary>A write transaction holding the in-process write gate until disposed.</summary>
    internal sealed class WriteScope(SqliteTransaction transaction, SemaphoreSlim gate) : IAsyncDisposable
    {
        public SqliteTransaction Transaction { get; } = transaction;

        public Task CommitAsync(CancellationToken cancellationToken) => Transaction.CommitAsync(cancellationToken);

        public async ValueTask DisposeAsync()
        {
            try
            {
                await Transaction.DisposeAsync();
            }
            finally
            {
                gate.Release();
            }
        }
    }

    public async Task<SqliteConnection> OpenAsync(CancellationToken cancellationToken)
    {
        var connection = new SqliteConnection(_connectionString);
        await connection.OpenAsync(cancellationToken);
        using (var pragma = connection.CreateCommand())
        {
            // Wait for another writer instead of failing at once (runs, DBAs and tests share the file).
            // A run commits thousands of small transactions (a ledger row each); checkpointing every 10,000 WAL pages
            // instead of SQLite's 1,000 copies a page rewritten by many of them once, with a tenth of the fsyncs.
            pragma.CommandText = "PRAGMA busy_timeout = 30000; PRAGMA synchronous = NORMAL; PRAGMA wal_autocheckpoint = 10000;";
            await pragma.ExecuteNonQueryAsync(cancellationToken);
        }

        RegisterDecimalSum(connection);
        RegisterClock(connection);
        return connection;
    }

    /// <summary>
    /// The database's clock for leases, as SQL Server's SYSUTCDATETIME() is there: ub_now() and
    /// ub_now_plus_ms(ms), in the job's canonical UTC text, which compares correctly as text.
    /// </summary>
    private void RegisterClock(SqliteConnection connection)
    {
        var clock = Clock;
        connection.CreateFunction("ub_now", () => UtcText.Format(clock.GetUtcNow()), isDeterministic: false);
        connection.CreateFunction("ub_now_plus_ms", (long milliseconds) => UtcText.Format(clock.GetUtcNow().AddMilliseconds(milliseconds)), isDeterministic: false);
    }

    /// <summary>
    /// SQLite's own SUM over TEXT returns a binary float (ten rows of 0.1 would not make 1). This aggregate sums
    /// canonical decimal text exactly; a value that is not canonical decimal, or a sum past what the ledger holds
    /// exactly (<see cref="Grouping.TotalLimit"/>), makes the result NULL, so nothing is ever summed as something else.
    /// </summary>
    private static void RegisterDecimalSum(SqliteConnection connection)
    {
        connection.CreateAggregate<string?, DecimalSum, string?>(
            "ub_decimal_sum",
            new DecimalSum(0m, true),
            static (acc, text) => acc.Valid && text is not null && DecimalText.TryParse(text, out var v, out _)
                ? Grouping.TryAdd(acc.Total, v, out var sum) ? acc with { Total = sum } : acc with { Valid = false }
                : acc with { Valid = acc.Valid && text is null },
            static acc => acc.Valid ? DecimalText.Format(acc.Total) : null,
            isDeterministic: true);
    }

    private readonly record struct DecimalSum(decimal Total, bool Valid);
}
