using System.Collections;
using System.Collections.Concurrent;
using System.Data.Common;
using System.Reflection;
using Dapper;

namespace UsageBatch.Storage;

/// <summary>
/// One open connection (and, inside <see cref="StoreDialect.WriteAsync{T}"/>, its transaction) as the store's
/// algorithms see it. Statements come from <see cref="Statements"/>; arguments are anonymous objects whose
/// properties are named like the statement's parameters and hold plain values (long, int, bool, string,
/// <see cref="DateTimeOffset"/>, decimal, <see cref="DbString"/> for a varchar column, or a list for Dapper's
/// <c>IN @Ids</c>). Each dialect encodes them for its columns (its value codec): SQLite's canonical text, SQL
/// Server's datetime2 / decimal / varchar parameters. Not thread-safe, like a connection.
/// </summary>
internal abstract class StoreSession : IAsyncDisposable
{
    public abstract DbConnection Connection { get; }

    public abstract DbTransaction? Transaction { get; }

    /// <summary>
    /// Runs <paramref name="work"/> in one short write transaction on this session and commits it. SQLite: the
    /// process's write gate and <c>BEGIN IMMEDIATE</c>. SQL Server: READ COMMITTED, and after a deadlock or lock
    /// timeout the whole transaction runs again, so <paramref name="work"/> must be safe to start over.
    /// </summary>
    public abstract Task<T> InTransactionAsync<T>(Func<Task<T>> work, CancellationToken cancellationToken);

    public Task InTransactionAsync(Func<Task> work, CancellationToken cancellationToken) =>
        InTransactionAsync(async () =>
        {
            await work();
            return true;
        }, cancellationToken);

    public abstract Task<int> ExecuteAsync(string sql, object? args, CancellationToken cancellationToken);

    /// <summary>The first column of the first row (null when no row or NULL), converted to <typeparamref name="T"/>.</summary>
    public async Task<T?> ScalarAsync<T>(string sql, object? args, CancellationToken cancellationToken)
    {
        var value = await ScalarValueAsync(sql, args, cancellationToken);
        return value is null or DBNull ? default : DbRead.Convert<T>(value);
    }

    protected abstract Task<object?> ScalarValueAsync(string sql, object? args, CancellationToken cancellationToken);

    /// <summary>Every row, each read by <paramref name="read"/> positionally (with <see cref="DbRead"/>, so it reads either dialect's types).</summary>
    public virtual async Task<List<T>> QueryAsync<T>(string sql, object? args, Func<DbDataReader, T> read, CancellationToken cancellationToken)
    {
        var rows = new List<T>();
        await using var reader = await ReaderAsync(sql, args, cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            rows.Add(read(reader));
        }

        return rows;
    }

    /// <summary>A reader over the statement's rows (streamed; the caller disposes it before the next statement).</summary>
    public abstract Task<DbDataReader> ReaderAsync(string sql, object? args, CancellationToken cancellationToken);

    public abstract ValueTask DisposeAsync();

    /// <summary>
    /// The named values of an argument object: a <see cref="NamedArgs"/>' entries (statements written from a usage
    /// table's description, whose parameters depend on its columns), else its readable properties, cached per type.
    /// </summary>
    protected static IEnumerable<(string Name, Type Type, object? Value)> Values(object args) =>
        args is NamedArgs named
            ? named.Select(p => (p.Key, p.Value?.GetType() ?? typeof(object), p.Value))
            : Properties(args.GetType()).Select(p => (p.Name, p.PropertyType, p.GetValue(args)));

    private static PropertyInfo[] Properties(Type type) =>
        PropertyCache.GetOrAdd(type, static t => t.GetProperties(BindingFlags.Public | BindingFlags.Instance));

    private static readonly ConcurrentDictionary<Type, PropertyInfo[]> PropertyCache = new();

    /// <summary>Whether a value is a list Dapper expands (<c>IN @Ids</c>), which only Dapper's own binding handles.</summary>
    protected static bool IsList(object? value) => value is IEnumerable and not string and not byte[];

    /// <summary>Whether an argument object has a list among its values (decided once per type).</summary>
    protected static bool HasList(object? args) =>
        args is NamedArgs named ? named.Values.Any(IsList)
        : args is not null && ListTypes.GetOrAdd(args.GetType(), static t => Properties(t).Any(p =>
            typeof(IEnumerable).IsAssignableFrom(p.PropertyType) && p.PropertyType != typeof(string) && p.PropertyType != typeof(byte[])));

    private static readonly ConcurrentDictionary<Type, bool> ListTypes = new();
}

/// <summary>Arguments by name, for a statement whose parameters come from a usage table's columns (an anonymous object cannot vary).</summary>
internal sealed class NamedArgs : Dictionary<string, object?>
{
    public NamedArgs()
        : base(StringComparer.Ordinal)
    {
    }

    /// <summary>Adds every readable property of <paramref name="args"/> (an anonymous object of the fixed parameters).</summary>
    public NamedArgs With(object args)
    {
        foreach (var property in args.GetType().GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            Add(property.Name, property.GetValue(args));
        }

        return this;
    }
}
