using System.Data;
using System.Globalization;
using System.Runtime.CompilerServices;
using Dapper;
using Microsoft.Data.SqlClient;
using UsageBatch.Providers;
using UsageBatch.Usage;
using static UsageBatch.Storage.SqlServer.SqlServerDatabase;

namespace UsageBatch.Storage.SqlServer;

internal sealed partial class SqlServerBillingStore
{
    // READPAST: a row another run is claiming right now is not pending for us; skip it instead of waiting.
    // READCOMMITTEDLOCK with it: under READ_COMMITTED_SNAPSHOT a plain read is versioned, and READPAST is refused.
    private const string PendingWhopSql = """
        SELECT id, source_key, company_id, membership_id, billing_item_id, billing_item_identifier, amount, quantity,
               NULL, NULL, occurred_at
        FROM [$(Schema)].whop_usage WITH (READPAST, READCOMMITTEDLOCK)
        WHERE billing_status = 'pending';
        """;

    private const string PendingChargebeeSql = """
        SELECT id, source_key, NULL, NULL, NULL, NULL, NULL, quantity, subscription_id, item_price_id, occurred_at
        FROM [$(Schema)].chargebee_usage WITH (READPAST, READCOMMITTEDLOCK)
        WHERE billing_status = 'pending';
        """;

    private const string CreateRejectTempSql = """
        CREATE TABLE #ub_reject (row_id bigint NOT NULL PRIMARY KEY, source_key nvarchar(200) NULL, reason nvarchar(4000) NOT NULL);
        """;

    // One set-based UPDATE joined to the bulk-copied batch. Only a row still pending is rejected: a concurrent run
    // may have moved it on since it was read. The exceptions are written from what actually changed.
    private const string RejectFromTempSql = """
        DECLARE @changed TABLE (row_id bigint NOT NULL PRIMARY KEY, source_key nvarchar(200) NULL, reason nvarchar(4000) NOT NULL);
        UPDATE u
        SET billing_status = 'rejected', billing_error = r.reason, billing_run_id = @RunId
        OUTPUT inserted.id, inserted.source_key, inserted.billing_error INTO @changed (row_id, source_key, reason)
        FROM [$(Schema)].$(UsageTable) AS u WITH (ROWLOCK, READCOMMITTEDLOCK)
        JOIN #ub_reject AS r ON r.row_id = u.id
        WHERE u.billing_status = 'pending';
        INSERT INTO [$(Schema)].ub_row_exception (run_id, usage_table, row_id, source_key, submission_id, kind, reason, at)
        SELECT @RunId, @Table, row_id, source_key, NULL, 'rejected', reason, @Now FROM @changed;
        DROP TABLE #ub_reject;
        SELECT COUNT(*) FROM @changed;
        """;

    // A row set back to pending whose earlier submission was confirmed, billed at zero, or is held must not be
    // billed again until `requeue` has checked the provider. TOP (@BatchSize): see ClaimBatchSql on escalation.
    private const string HoldRequeuedSql = """
        DECLARE @held TABLE (id bigint NOT NULL PRIMARY KEY, source_key nvarchar(200) NULL, submission_id bigint NOT NULL, reason nvarchar(4000) NOT NULL);
        UPDATE TOP (@BatchSize) u
        SET billing_status = 'held', billing_run_id = @RunId,
            billing_error = LEFT(CONCAT(N're-queued, but its submission ', u.billing_submission_id, N' is already ', s.status,
                                        CASE WHEN u.provider_usage_id IS NOT NULL THEN CONCAT(N' (provider usage ', u.provider_usage_id, N')') ELSE N'' END,
                                        N'; run `usagebatch requeue --table $(UsageTable) --row ', u.id, N'` to check the provider'), 4000)
        OUTPUT inserted.id, inserted.source_key, inserted.billing_submission_id, inserted.billing_error INTO @held (id, source_key, submission_id, reason)
        FROM [$(Schema)].$(UsageTable) AS u WITH (ROWLOCK, READPAST, UPDLOCK, READCOMMITTEDLOCK)
        JOIN [$(Schema)].ub_submission AS s ON s.id = u.billing_submission_id
        WHERE u.billing_status = 'pending' AND s.status IN ('confirmed', 'zero', 'held');
        INSERT INTO [$(Schema)].ub_row_exception (run_id, usage_table, row_id, source_key, submission_id, kind, reason, at)
        SELECT @RunId, @Table, id, source_key, submission_id, 'held', reason, @Now FROM @held;
        SELECT COUNT(*) FROM @held;
        """;

    private const string InsertRowExceptionSql = """
        INSERT INTO [$(Schema)].ub_row_exception (run_id, usage_table, row_id, source_key, submission_id, kind, reason, at)
        VALUES (@RunId, @Table, @RowId, @SourceKey, @SubmissionId, @Kind, @Reason, @At);
        """;

    /// <summary>Rows per write statement: under the lock-escalation threshold (see <see cref="SqlServerLocking"/>).</summary>
    private const int MaxRowsPerStatement = SqlServerLocking.MaxRowsPerStatement;

    public async IAsyncEnumerable<UsageRow> ReadPendingRowsAsync(UsageTable table, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await using var connection = await _database.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = _database.Sql(table.Provider == ProviderKind.Whop ? PendingWhopSql : PendingChargebeeSql);
        // Streamed, never materialised: memory stays flat however many rows are pending. READ COMMITTED releases
        // each row's shared lock as the reader moves on, so nothing is held while the run validates.
        await using var reader = await command.ExecuteReaderAsync(CommandBehavior.SequentialAccess, cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            yield return ReadRow(reader);
        }
    }

    /// <summary>
    /// Reads a row whose columns are in <see cref="UsageRow"/>'s order, as the canonical text the validator takes
    /// (the SQLite table's own form): decimals via <see cref="DecimalText.Format"/>, times as 'yyyy-MM-ddTHH:mm:ss.fffZ'.
    /// </summary>
    private static UsageRow ReadRow(System.Data.Common.DbDataReader reader)
    {
        var id = reader.GetInt64(0); // first: the reader may be sequential
        var values = new string?[11];
        for (var i = 1; i < values.Length; i++)
        {
            values[i] = reader.IsDBNull(i) ? null : reader.GetValue(i) switch
            {
                decimal d => DecimalText.Format(d),
                DateTime t => UtcText.Format(Utc(t)),
                var other => Convert.ToString(other, CultureInfo.InvariantCulture),
            };
        }

        return new UsageRow(id, values[1], values[2], values[3], values[4], values[5], values[6], values[7], values[8], values[9], values[10]);
    }

    public async Task<int> RejectRowsAsync(UsageTable table, long runId, IReadOnlyList<RowRejection> rejections, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var rejected = 0;
        if (rejections.Count == 0)
        {
            return 0;
        }

        await using var connection = await _database.OpenAsync(cancellationToken);
        foreach (var batch in rejections.DistinctBy(r => r.RowId).Chunk(MaxRowsPerStatement))
        {
            // The temporary table is created inside the transaction, so a deadlock's rollback removes it too.
            rejected += await InTransactionAsync(connection, async transaction =>
            {
                await connection.ExecuteAsync(new CommandDefinition(CreateRejectTempSql, transaction: transaction, cancellationToken: cancellationToken));
                using (var rows = new DataTable())
                {
                    rows.Locale = CultureInfo.InvariantCulture;
                    rows.Columns.Add("row_id", typeof(long));
                    rows.Columns.Add("source_key", typeof(string));
                    rows.Columns.Add("reason", typeof(string));
                    foreach (var row in batch)
                    {
                        rows.Rows.Add(row.RowId, (object?)row.SourceKey ?? DBNull.Value, Truncate(row.Reason));
                    }

                    using var copy = new SqlBulkCopy(connection, SqlBulkCopyOptions.Default, transaction) { DestinationTableName = "#ub_reject" };
                    await copy.WriteToServerAsync(rows, cancellationToken);
                }

                return await connection.ExecuteScalarAsync<int>(new CommandDefinition(_database.Sql(RejectFromTempSql, table),
                    new { RunId = runId, Table = Ansi(table.Name, 50), Now = Time(now) }, transaction, cancellationToken: cancellationToken));
            }, cancellationToken);
        }

        return rejected;
    }

    public async Task<int> HoldRequeuedRowsAsync(UsageTable table, long runId, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var total = 0;
        await using var connection = await _database.OpenAsync(cancellationToken);
        while (true)
        {
            var held = await InTransactionAsync(connection, transaction => connection.ExecuteScalarAsync<int>(new CommandDefinition(_database.Sql(HoldRequeuedSql, table),
                new { RunId = runId, Table = Ansi(table.Name, 50), Now = Time(now), BatchSize = MaxRowsPerStatement }, transaction, cancellationToken: cancellationToken)),
                cancellationToken);
            total += held;
            if (held < MaxRowsPerStatement)
            {
                return total;
            }
        }
    }

    private Task InsertRowExceptionAsync(
        SqlConnection connection, SqlTransaction transaction, long runId, UsageTable table, long rowId, string? sourceKey,
        long? submissionId, string kind, string reason, DateTimeOffset now, CancellationToken cancellationToken) =>
        connection.ExecuteAsync(new CommandDefinition(_database.Sql(InsertRowExceptionSql),
            new { RunId = runId, Table = Ansi(table.Name, 50), RowId = rowId, SourceKey = sourceKey, SubmissionId = submissionId, Kind = Ansi(kind, 10), Reason = reason, At = Time(now) },
            transaction, cancellationToken: cancellationToken));

    /// <summary>billing_error is nvarchar(4000): a longer reason is cut, never a truncation error that aborts the run.</summary>
    private static string? Truncate(string? reason) => reason is { Length: > 4000 } ? reason[..4000] : reason;
}
