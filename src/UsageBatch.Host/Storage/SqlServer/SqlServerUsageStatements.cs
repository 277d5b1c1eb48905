using static UsageBatch.Storage.ClaimKey;

namespace UsageBatch.Storage.SqlServer;

/// <summary>
/// The SQL Server statements over a provider's usage table, written from its <see cref="UsageTable"/> description
/// (names from code, never input), as templates the dialect expands for its schema. Why each hint is there is said on
/// the statements themselves; the statement gate checks every one of them for every built-in provider's table.
/// </summary>
internal static class SqlServerUsageStatements
{
    /// <summary>Every template, by name, for the statement gate (which expands and resolves each against the schema scripts).</summary>
    public static IEnumerable<(string Name, string Template)> All(UsageTable t) =>
    [
        (nameof(PendingRows), PendingRows(t)), (nameof(Groups), Groups(t)), (nameof(ClaimBatch), ClaimBatch(t)), (nameof(ExceptionRows), ExceptionRows(t)),
    ];

    /// <summary>The column's type as the usage table scripts declare it.</summary>
    private static string TypeOf(UsageColumn column) => column.Kind switch
    {
        UsageColumnKind.Id => "varchar(100)",
        UsageColumnKind.Text => "nvarchar(200)",
        UsageColumnKind.Decimal => "decimal(28, 10)",
        _ => throw new ArgumentOutOfRangeException(nameof(column), column.Kind, "unknown column kind"),
    };

    // READPAST: a row another run is claiming right now is not pending for us; skip it instead of waiting.
    // READCOMMITTEDLOCK with it: under READ_COMMITTED_SNAPSHOT a plain read is versioned, and READPAST is refused.
    public static string PendingRows(UsageTable t) => $"""
        SELECT {DbRead.UsageRowColumns(t)}
        FROM [$(Schema)].{t.Name} WITH (READPAST, READCOMMITTEDLOCK)
        WHERE billing_status = 'pending';
        """;

    // The GROUP BY the run plans from: the groups' keys only. The claim counts and sums the rows it takes (a total
    // past what the ledger holds exactly rejects that group alone there), so no value column is read here and the
    // keys can come from the filtered index (and its INCLUDEd columns) alone. 'pending' is a literal so the
    // filtered index matches; READPAST skips rows being claimed by another run right now (they are not ours to plan),
    // and needs READCOMMITTEDLOCK beside it (see PendingRows). A lone key column is grouped as it is stored, so the
    // aggregate can follow the pending index's order; a choice of columns is one nvarchar(200) value.
    // INDEX(…_pending): the filtered index of pending rows. Without it the cutoff could take ix_*_occurred, which
    // holds every row ever billed: a seek whose range, and key lookups, grow with the table's history.
    // Buckets are computed in UTC on the server: hour, month, else day (the job's setting, as a parameter).
    public static string Groups(UsageTable t)
    {
        static string AsText(UsageColumn c) => $"CAST(u.{c.Name} AS nvarchar(200))";
        string Id(KeyColumns key) => key.IsChoice ? FirstSetSql(key, "u", AsText) : FirstSetSql(key, "u");
        var keys = "k.customer_field, k.customer_id, k.item_field, k.item_id, k.value_field" + (t.DateBuckets ? ", b.bucket_start" : "");
        return $"""
            SELECT k.customer_field AS CustomerField, k.customer_id AS CustomerId, k.item_field AS ItemField, k.item_id AS ItemId,
                   k.value_field AS ValueField, {(t.DateBuckets ? "b.bucket_start" : "CAST(NULL AS datetime2(3))")} AS BucketStart
            FROM [$(Schema)].{t.Name} AS u WITH (READPAST, READCOMMITTEDLOCK, INDEX(ix_{t.Name}_pending))
            CROSS APPLY (VALUES ({FieldSql(t.Customer, "u")}, {Id(t.Customer)}, {FieldSql(t.Item, "u")}, {Id(t.Item)}, {FieldSql(t.Value, "u")}))
                AS k (customer_field, customer_id, item_field, item_id, value_field)
            {(t.DateBuckets ? BucketApply : "")}
            WHERE u.billing_status = 'pending' AND u.occurred_at < @Cutoff AND {SqlServerStatements.ClaimableU}
              AND {FirstSetSql(t.Customer, "u")} IS NOT NULL AND {FirstSetSql(t.Item, "u")} IS NOT NULL
            GROUP BY {keys}
            ORDER BY {keys};
            """;
    }

    private const string BucketApply = """
        CROSS APPLY (VALUES (CASE @Bucket
                WHEN 'hour' THEN DATEADD(hour, DATEDIFF(hour, CAST('2000-01-01' AS datetime2(3)), u.occurred_at), CAST('2000-01-01' AS datetime2(3)))
                WHEN 'month' THEN CAST(DATEFROMPARTS(YEAR(u.occurred_at), MONTH(u.occurred_at), 1) AS datetime2(3))
                ELSE CAST(CAST(u.occurred_at AS date) AS datetime2(3)) END)) AS b (bucket_start)
        """;

    // The claim, as Hangfire.SqlServer claims jobs: one statement that takes at most @BatchSize rows still
    // 'pending' and marks them in the same breath.
    //   ROWLOCK            row locks only, never page locks that would block a neighbour's rows;
    //   READPAST           skip rows another run has locked (it is claiming them) instead of queueing behind it;
    //   UPDLOCK            the rows read are the rows updated, with no shared-to-exclusive conversion deadlock;
    //   READCOMMITTEDLOCK  locking read committed even when the database has READ_COMMITTED_SNAPSHOT on: a
    //                      versioned read could see a row as still pending after another run claimed it;
    //   INDEX(…_pending)   the filtered index of pending rows, whose leading keys are the group's: the claim reads
    //                      pending rows of this group only, never a scan of the table. (Not FORCESEEK: a plan the
    //                      optimizer cannot build under it fails the statement, Msg 8622.)
    // @BatchSize is SqlServerLocking.RowsPerStatement(batchSize): under the escalation threshold on every index.
    // OUTPUT … INTO a table variable, then SELECT: a plain OUTPUT clause is refused (Msg 334) once a DBA puts a
    // trigger on the usage table.
    // A column of a choice is matched NULL-safe: EXISTS (SELECT a INTERSECT SELECT b) is SQLite's "a IS b" (NULL
    // equals NULL) in a form the optimizer turns into an index seek on the filtered index (IS NOT DISTINCT FROM
    // needs SQL Server 2022). The parameters are typed as the columns are (ClaimKey.Bind): no implicit conversion.
    public static string ClaimBatch(UsageTable t)
    {
        var columns = DbRead.UsageRowColumns(t);
        var match = string.Join("\n  AND ", Columns(t).Select(c => c.Key.IsChoice
                ? $"EXISTS (SELECT u.{c.Column.Name} INTERSECT SELECT @{c.Param})"
                : $"u.{c.Column.Name} = @{c.Param}")
            .Concat(t.Value.IsChoice ? [$"{ValueIndexSql(t, "u")} = @{ValueIndex}"] : [])
            .Concat(t.DateBuckets ? ["u.occurred_at >= @BucketStart AND u.occurred_at < @BucketEnd"] : []));
        return $"""
            DECLARE @claimed TABLE (id bigint NOT NULL PRIMARY KEY, source_key nvarchar(200) NOT NULL, occurred_at datetime2(3) NULL,
                                    {string.Join(", ", t.Fields.Select(c => $"{c.Name} {TypeOf(c)} NULL"))});
            UPDATE TOP (@BatchSize) u
            SET billing_status = 'claimed', billing_run_id = @RunId, billing_submission_id = @SubmissionId
            OUTPUT {DbRead.UsageRowColumns(t, "inserted.")}
            INTO @claimed ({columns})
            FROM [$(Schema)].{t.Name} AS u WITH (ROWLOCK, READPAST, UPDLOCK, READCOMMITTEDLOCK, INDEX(ix_{t.Name}_pending))
            WHERE u.billing_status = 'pending' AND u.occurred_at < @Cutoff AND {SqlServerStatements.ClaimableU}
              AND {match};
            SELECT {columns}
            FROM @claimed ORDER BY id;
            """;
    }

    public static string ExceptionRows(UsageTable t) => $"""
        SELECT TOP (@Take) u.id AS RowId, u.source_key AS SourceKey, u.billing_status AS Status, u.billing_error AS Reason,
               u.billing_run_id AS RunId, u.billing_submission_id AS SubmissionId, u.occurred_at AS OccurredAt,
               {FirstSetSql(t.Customer, "u")} AS Customer, {FirstSetSql(t.Item, "u")} AS Item,
               {(t.NoteColumn is null ? "CAST(NULL AS nvarchar(500))" : "u." + t.NoteColumn)} AS Note
        FROM [$(Schema)].{t.Name} AS u
        LEFT JOIN [$(Schema)].ub_submission AS s ON s.id = u.billing_submission_id
        WHERE u.billing_status IN ('held', 'rejected') AND (s.id IS NULL OR s.status NOT IN ('held', 'rejected'))
        ORDER BY u.id DESC;
        """;
}
