using System.Data.Common;
using System.Globalization;

namespace UsageBatch.Storage;

/// <summary>
/// What one key-paged batch moved: how many rows, and the highest id among them, where the next batch starts. Every
/// batch answers <c>SELECT COUNT(*) AS Count, MAX(id) AS LastId</c>.
/// </summary>
internal readonly record struct BatchStep(int Count, long LastId)
{
    /// <summary>Before the first batch: every id is greater.</summary>
    public const long Start = long.MinValue;

    public static BatchStep Read(DbDataReader reader) => new(
        Convert.ToInt32(reader.GetValue(0), CultureInfo.InvariantCulture),
        reader.IsDBNull(1) ? Start : Convert.ToInt64(reader.GetValue(1), CultureInfo.InvariantCulture));

    public static async Task<BatchStep> RunAsync(StoreSession session, string sql, object args, CancellationToken cancellationToken) =>
        (await session.QueryAsync(sql, args, Read, cancellationToken)).Single();
}
