using static UsageBatch.Storage.ClaimKey;

namespace UsageBatch.Storage.Sqlite;

/// <summary>
/// The SQLite statements over a provider's usage table, written from its <see cref="UsageTable"/> description: the
/// same text for every provider, so a new provider's table needs no SQL of its own. The names come from the table's
/// description (code, never input).
/// </summary>
internal static class SqliteUsageStatements
{
    public static string PendingRows(UsageTable t) =>
        $"SELECT {DbRead.UsageRowColumns(t)} FROM {t.Name} WHERE billing_status = 'pending'";

    // The bucket is the prefix of the canonical text (2026-11-20T05 / 2026-11-20 / 2026-11): see Grouping.
    // +u.occurred_at: the cutoff must not pick ix_*_occurred, which holds every row ever billed (the walk would grow
    // with the table's history, and look each row up); the partial index of pending rows is the one to read.
    // Grouped by what varies only (a lone column's field name is a constant), in the pending index's key order.
    // Keys only: the claim counts and sums the rows it takes (no per-row call into the exact decimal sum here).
    public static string Groups(UsageTable t)
    {
        var keys = string.Join(", ", (t.Customer.IsChoice ? new[] { 1, 2 } : [2])
            .Concat(t.Item.IsChoice ? [3, 4] : [4])
            .Concat(t.Value.IsChoice ? [5] : [])
            .Concat(t.DateBuckets ? [6] : []));
        return $"""
            SELECT {FieldSql(t.Customer, "u")}, {FirstSetSql(t.Customer, "u")}, {FieldSql(t.Item, "u")}, {FirstSetSql(t.Item, "u")}, {FieldSql(t.Value, "u")},
                   {(t.DateBuckets ? "substr(u.occurred_at, 1, @PrefixLength)" : "NULL")}
            FROM {t.Name} AS u
            WHERE u.billing_status = 'pending' AND +u.occurred_at < @Cutoff AND {SqliteStatements.ClaimableU}
              AND {FirstSetSql(t.Customer, "u")} IS NOT NULL AND {FirstSetSql(t.Item, "u")} IS NOT NULL
            GROUP BY {keys}
            ORDER BY {keys}
            """;
    }

    // IS compares NULLs as equal: one statement serves every combination of a choice's columns.
    public static string ClaimBatch(UsageTable t) => $"""
        UPDATE {t.Name}
        SET billing_status = 'claimed', billing_run_id = @RunId, billing_submission_id = @SubmissionId
        WHERE id IN (SELECT id FROM {t.Name} AS u
                     WHERE u.billing_status = 'pending' AND u.occurred_at < @Cutoff AND {SqliteStatements.ClaimableU}
                       AND {Match(t, "u", c => "@" + c.Param)}
                       {(t.DateBuckets ? "AND u.occurred_at >= @BucketStart AND u.occurred_at < @BucketEnd" : "")}
                     ORDER BY id LIMIT @BatchSize)
        RETURNING {DbRead.UsageRowColumns(t)}
        """;

    public static string ExceptionRows(UsageTable t) => $"""
        SELECT u.id, u.source_key, u.billing_status, u.billing_error, u.billing_run_id, u.billing_submission_id, u.occurred_at,
               {FirstSetSql(t.Customer, "u")}, {FirstSetSql(t.Item, "u")}, {(t.NoteColumn is null ? "NULL" : "u." + t.NoteColumn)}
        FROM {t.Name} AS u LEFT JOIN ub_submission AS s ON s.id = u.billing_submission_id
        WHERE u.billing_status IN ('held', 'rejected') AND (s.id IS NULL OR s.status NOT IN ('held', 'rejected'))
        ORDER BY u.id DESC LIMIT @Take
        """;

    // The claim pass's map from a group's key to its ledger row (a temp table: this session's connection only).
    private static string MapName(UsageTable t) => "ub_claim_" + t.Name;

    private static IEnumerable<string> MapColumns(UsageTable t) =>
        Columns(t).Select(c => c.Param.ToLowerInvariant())
            .Concat(t.Value.IsChoice ? ["value_index"] : [])
            .Concat(t.DateBuckets ? ["bucket"] : []);

    public static string CreateMap(UsageTable t) => $"""
        CREATE TEMP TABLE IF NOT EXISTS {MapName(t)} ({string.Join(", ", MapColumns(t).Select(c => c + (c == "value_index" ? " INTEGER" : " TEXT")))}, submission_id INTEGER NOT NULL);
        CREATE INDEX IF NOT EXISTS temp.{MapName(t)}_key ON {MapName(t)} ({string.Join(", ", MapColumns(t))});
        DELETE FROM temp.{MapName(t)};
        """;

    public static string InsertMap(UsageTable t) => $"""
        INSERT INTO temp.{MapName(t)} ({string.Join(", ", MapColumns(t))}, submission_id)
        VALUES ({string.Join(", ", Columns(t).Select(c => "@" + c.Param).Concat(t.Value.IsChoice ? ["@" + ValueIndex] : []).Concat(t.DateBuckets ? ["@Bucket"] : []))}, @SubmissionId)
        """;

    public static string ClearMap(UsageTable t) => $"DELETE FROM temp.{MapName(t)}";

    /// <summary>Claims the pending rows of (@After, @Upto] whose key is in the map; answers them and their ledger row's id, last.</summary>
    public static string ClaimPass(UsageTable t) => $"""
        UPDATE {t.Name} AS u NOT INDEXED
        SET billing_status = 'claimed', billing_run_id = @RunId, billing_submission_id = m.submission_id
        FROM temp.{MapName(t)} AS m
        WHERE u.id > @After AND u.id <= @Upto AND u.billing_status = 'pending' AND u.occurred_at < @Cutoff AND {SqliteStatements.ClaimableU}
          AND {Match(t, "u", c => "m." + c.Param.ToLowerInvariant(), "m.value_index")}
          {(t.DateBuckets ? "AND m.bucket = substr(u.occurred_at, 1, @PrefixLength)" : "")}
        RETURNING {DbRead.UsageRowColumns(t)}, billing_submission_id
        """;

    /// <summary>A row (alias <paramref name="u"/>) has the group's key: each key column against its value, and the value's choice.</summary>
    private static string Match(UsageTable t, string u, Func<(UsageColumn Column, KeyColumns Key, string Param), string> valueOf, string valueIndex = "@" + ValueIndex) =>
        string.Join(" AND ", Columns(t).Select(c => $"{u}.{c.Column.Name} {(c.Key.IsChoice ? "IS" : "=")} {valueOf(c)}")
            .Concat(t.Value.IsChoice ? [$"{ValueIndexSql(t, u)} = {valueIndex}"] : []));
}
