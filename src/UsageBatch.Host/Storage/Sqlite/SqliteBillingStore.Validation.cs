using System.Runtime.CompilerServices;
using Dapper;
using Microsoft.Data.Sqlite;
using UsageBatch.Usage;
using static UsageBatch.Storage.Sqlite.SqliteDatabase;

namespace UsageBatch.Storage.Sqlite;

internal sealed partial class SqliteBillingStore
{
    private const int RejectBatchSize = 500;

    public async IAsyncEnumerable<UsageRow> ReadPendingRowsAsync(UsageTable table, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await using var connection = await _database.OpenAsync(cancellationToken);
        var sql = table.Provider == Providers.ProviderKind.Whop
            ? """
              SELECT id, source_key, company_id, membership_id, billing_item_id, billing_item_identifier, amount, quantity,
                     NULL, NULL, occurred_at
              FROM whop_usage WHERE billing_status = 'pending'
              """
            : """
              SELECT id, source_key, NULL, NULL, NULL, NULL, NULL, quantity, subscription_id, item_price_id, occurred_at
              FROM chargebee_usage WHERE billing_status = 'pending'
              """;
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        // Streamed, never materialised: memory stays flat however many rows are pending.
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            yield return ReadRow(reader);
        }
    }

    /// <summary>Reads a row whose columns are in <see cref="UsageRow"/>'s order; values are read as text whatever SQLite stored.</summary>
    private static UsageRow ReadRow(System.Data.Common.DbDataReader reader)
    {
        // One native read per column (GetValue answers DBNull for NULL); a TEXT column's value is already a string.
        // Every row is read twice a run (validate, claim), so this is on the hot path.
        string? Text(int i) => reader.GetValue(i) switch
        {
            DBNull => null,
            string text => text,
            var other => Convert.ToString(other, System.Globalization.CultureInfo.InvariantCulture),
        };
        return new UsageRow(reader.GetInt64(0), Text(1), Text(2), Text(3), Text(4), Text(5), Text(6), Text(7), Text(8), Text(9), Text(10));
    }

    public async Task<int> RejectRowsAsync(UsageTable table, long runId, IReadOnlyList<RowRejection> rejections, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var rejected = 0;
        await using var session = await _database.RentSessionAsync(cancellationToken);
        // Only a row still pending is rejected: a concurrent run may have moved it on since it was read.
        var update = $"""
            UPDATE {table.Name} SET billing_status = 'rejected', billing_error = @Reason, billing_run_id = @RunId
            WHERE id = @Id AND billing_status = 'pending'
            """;
        foreach (var batch in rejections.Chunk(RejectBatchSize))
        {
            await using var write = await _database.BeginWriteAsync(session.Connection, cancellationToken);
            foreach (var row in batch)
            {
                var changed = await session.Command(update, write.Transaction)
                    .With("@Reason", row.Reason).With("@RunId", runId).With("@Id", row.RowId)
                    .ExecuteNonQueryAsync(cancellationToken);
                if (changed == 1)
                {
                    rejected++;
                    await InsertRowExceptionAsync(session, write.Transaction, runId, table, row.RowId, row.SourceKey, null, "rejected", row.Reason, now, cancellationToken);
                }
            }

            await write.CommitAsync(cancellationToken);
        }

        return rejected;
    }

    public async Task<int> HoldRequeuedRowsAsync(UsageTable table, long runId, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var connection = await _database.OpenAsync(cancellationToken);
        await using var transaction = (SqliteTransaction)await connection.BeginTransactionAsync(cancellationToken);
        // A row set back to pending whose earlier submission was confirmed, billed at zero, or is held must not be
        // billed again until `requeue` has checked the provider.
        var held = (await connection.QueryAsync<(long Id, string? SourceKey, long SubmissionId, string Reason)>(new CommandDefinition(
            $"""
            UPDATE {table.Name}
            SET billing_status = 'held', billing_run_id = @RunId,
                billing_error = 're-queued, but its submission ' || billing_submission_id || ' is already ' ||
                    (SELECT s.status FROM ub_submission s WHERE s.id = {table.Name}.billing_submission_id) ||
                    COALESCE(' (provider usage ' || provider_usage_id || ')', '') ||
                    '; run `usagebatch requeue --table {table.Name} --row ' || id || '` to check the provider'
            WHERE billing_status = 'pending'
              AND billing_submission_id IN (SELECT id FROM ub_submission WHERE status IN ('confirmed', 'zero', 'held'))
            RETURNING id, source_key, billing_submission_id, billing_error
            """,
            new { RunId = runId }, transaction, cancellationToken: cancellationToken))).ToList();
        foreach (var row in held)
        {
            await InsertRowExceptionAsync(connection, transaction, runId, table, row.Id, row.SourceKey, row.SubmissionId, "held", row.Reason, now, cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);
        return held.Count;
    }

    private static Task InsertRowExceptionAsync(
        SqliteConnection connection, SqliteTransaction transaction, long runId, UsageTable table, long rowId, string? sourceKey,
        long? submissionId, string kind, string reason, DateTimeOffset now, CancellationToken cancellationToken) =>
        connection.ExecuteAsync(new CommandDefinition(
            """
            INSERT INTO ub_row_exception (run_id, usage_table, row_id, source_key, submission_id, kind, reason, at)
            VALUES (@RunId, @Table, @RowId, @SourceKey, @SubmissionId, @Kind, @Reason, @At)
            """,
            new { RunId = runId, Table = table.Name, RowId = rowId, SourceKey = sourceKey, SubmissionId = submissionId, Kind = kind, Reason = reason, At = Text(now) },
            transaction, cancellationToken: cancellationToken));

    private const string InsertRowExceptionSql = """
        INSERT INTO ub_row_exception (run_id, usage_table, row_id, source_key, submission_id, kind, reason, at)
        VALUES (@RunId, @Table, @RowId, @SourceKey, @SubmissionId, @Kind, @Reason, @At)
        """;

    private static Task<int> InsertRowExceptionAsync(
        SqliteSession session, SqliteTransaction transaction, long runId, UsageTable table, long rowId, string? sourceKey,
        long? submissionId, string kind, string reason, DateTimeOffset now, CancellationToken cancellationToken) =>
        session.Command(InsertRowExceptionSql, transaction)
            .With("@RunId", runId).With("@Table", table.Name).With("@RowId", rowId).With("@SourceKey", sourceKey)
            .With("@SubmissionId", submissionId).With("@Kind", kind).With("@Reason", reason).With("@At", Text(now))
            .ExecuteNonQueryAsync(cancellationToken);
}
