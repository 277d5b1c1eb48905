using UsageBatch.Storage;
using UsageBatch.Storage.Sqlite;

namespace UsageBatch.Tests.Storage.Sqlite;

/// <summary>
/// The ledger's group commit: writes queued while a commit runs share the next one, each caller gets its own answer
/// only once its write is committed, and one failing write fails only its own caller. Made deterministic by holding
/// the first commit open until the others are queued.
/// </summary>
public sealed class GroupCommitTests : IAsyncLifetime
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "usagebatch-tests", Guid.NewGuid().ToString("N"));
    private SqliteDialect _dialect = null!;

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(_folder);
        _dialect = new SqliteDialect(new SqliteDatabase($"Data Source={Path.Combine(_folder, "group-commit.db")}"));
        await _dialect.ApplySchemaAsync(CancellationToken.None);
        await _dialect.WriteAsync(s => s.ExecuteAsync("CREATE TABLE scratch (n INTEGER PRIMARY KEY)", null, CancellationToken.None), CancellationToken.None);
    }

    public async Task DisposeAsync()
    {
        await _dialect.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_folder, recursive: true);
    }

    private static Func<StoreSession, Task<int>> Insert(int n) =>
        session => session.ExecuteAsync("INSERT INTO scratch (n) VALUES (@N)", new { N = n }, CancellationToken.None);

    private async Task<List<long>> StoredAsync()
    {
        await using var session = await _dialect.OpenAsync(CancellationToken.None);
        return [.. await session.QueryAsync("SELECT n FROM scratch ORDER BY n", null, r => r.GetInt64(0), CancellationToken.None)];
    }

    /// <summary>A first write that holds its commit open until released: the next writes queue behind it.</summary>
    private static (Func<StoreSession, Task<int>> Work, TaskCompletionSource Started, TaskCompletionSource Release) Held(int n)
    {
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        return (async session =>
        {
            started.TrySetResult();
            await release.Task;
            return await Insert(n)(session);
        }, started, release);
    }

    [Fact]
    public async Task WritesQueuedDuringACommit_ShareTheNextOne_EachAnsweredAfterItIsCommitted()
    {
        var commit = new GroupCommit(_dialect);
        var (held, started, release) = Held(0);
        var first = commit.WriteAsync(held, CancellationToken.None);
        await started.Task;

        var queued = Enumerable.Range(1, 10).Select(n => commit.WriteAsync(Insert(n), CancellationToken.None)).ToList();
        await Task.Delay(50);
        Assert.All(queued, t => Assert.False(t.IsCompleted)); // nobody is answered before the commit

        release.SetResult();
        var answers = await Task.WhenAll(queued.Prepend(first));

        Assert.All(answers, a => Assert.Equal(1, a));
        Assert.Equal(Enumerable.Range(0, 11).Select(n => (long)n), await StoredAsync());
        Assert.Equal((11L, 2L), (commit.Writes, commit.Commits));
    }

    [Fact]
    public async Task AFailingWriteInASharedCommit_FailsOnlyItsCaller_TheOthersAreCommittedAlone()
    {
        var commit = new GroupCommit(_dialect);
        var (held, started, release) = Held(0);
        var first = commit.WriteAsync(held, CancellationToken.None);
        await started.Task;

        var before = commit.WriteAsync(Insert(1), CancellationToken.None);
        var failing = commit.WriteAsync(Insert(1), CancellationToken.None); // the same key: a constraint violation
        var after = commit.WriteAsync(Insert(2), CancellationToken.None);
        release.SetResult();

        Assert.Equal(1, await first);
        Assert.Equal((1, 1), (await before, await after));
        await Assert.ThrowsAsync<Microsoft.Data.Sqlite.SqliteException>(() => failing);
        Assert.Equal([0L, 1L, 2L], await StoredAsync());
        // The shared attempt rolled back whole; the two good writes were committed one by one.
        Assert.Equal((3L, 3L), (commit.Writes, commit.Commits));
    }

    [Fact]
    public async Task ALoneWriter_IsCommittedAtOnce_NeverWaitsForCompany()
    {
        var commit = new GroupCommit(_dialect);
        for (var n = 0; n < 20; n++)
        {
            Assert.Equal(1, await commit.WriteAsync(Insert(n), CancellationToken.None));
        }

        Assert.Equal((20L, 20L), (commit.Writes, commit.Commits));
        Assert.Equal(TimeSpan.Zero, commit.Lingered);
    }

    [Fact]
    public async Task MoreQueuedThanOneCommitTakes_AreSplitAcrossCommits()
    {
        var commit = new GroupCommit(_dialect);
        var (held, started, release) = Held(0);
        var first = commit.WriteAsync(held, CancellationToken.None);
        await started.Task;

        var queued = Enumerable.Range(1, GroupCommit.MaxWritesPerCommit + 5).Select(n => commit.WriteAsync(Insert(n), CancellationToken.None)).ToList();
        release.SetResult();
        await Task.WhenAll(queued.Prepend(first));

        Assert.Equal(GroupCommit.MaxWritesPerCommit + 6, (await StoredAsync()).Count);
        Assert.Equal(3L, commit.Commits); // the held one, a full commit, the rest
    }
}
