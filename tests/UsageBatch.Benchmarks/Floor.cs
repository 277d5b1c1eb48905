using System.Diagnostics;
using Microsoft.Data.Sqlite;
using UsageBatch.Storage.Sqlite;
using UsageBatch.Usage;

namespace UsageBatch.Benchmarks;

/// <summary>
/// The cheapest way to reach the same database outcome, as a DBA would hand-write it: per table, one
/// INSERT … SELECT … GROUP BY into a group table (with the same exact decimal aggregate the run must use), then one
/// UPDATE … FROM marking every row billed with its group's id. One transaction per table.
/// </summary>
internal static class Floor
{
    public sealed record Result(TimeSpan Whop, TimeSpan Chargebee);

    public static async Task<Result> RunAsync(SqliteDatabase database, DateTimeOffset cutoff)
    {
        var cutoffText = UtcText.Format(UtcText.WholeSeconds(cutoff));
        var whop = await TimeAsync(database, cutoffText,
            """
            CREATE TABLE floor_whop_group (id INTEGER PRIMARY KEY, membership_id TEXT, company_id TEXT, billing_item_id TEXT,
                                           billing_item_identifier TEXT, is_amount INTEGER, row_count INTEGER, total TEXT, last_occurred_at TEXT);
            INSERT INTO floor_whop_group (membership_id, company_id, billing_item_id, billing_item_identifier, is_amount, row_count, total, last_occurred_at)
            SELECT membership_id, company_id, billing_item_id, billing_item_identifier, amount IS NOT NULL,
                   COUNT(*), ub_decimal_sum(COALESCE(amount, quantity)), MAX(occurred_at)
            FROM whop_usage WHERE billing_status = 'pending' AND occurred_at < $cutoff
            GROUP BY membership_id, company_id, billing_item_id, billing_item_identifier, amount IS NOT NULL;
            CREATE INDEX floor_whop_group_key ON floor_whop_group (membership_id, company_id, billing_item_id, billing_item_identifier, is_amount);
            UPDATE whop_usage SET billing_status = 'billed', billing_submission_id = g.id
            FROM floor_whop_group g
            WHERE whop_usage.billing_status = 'pending' AND whop_usage.occurred_at < $cutoff
              AND g.membership_id IS whop_usage.membership_id AND g.company_id IS whop_usage.company_id
              AND g.billing_item_id IS whop_usage.billing_item_id AND g.billing_item_identifier IS whop_usage.billing_item_identifier
              AND g.is_amount = (whop_usage.amount IS NOT NULL);
            """);
        var chargebee = await TimeAsync(database, cutoffText,
            """
            CREATE TABLE floor_chargebee_group (id INTEGER PRIMARY KEY, subscription_id TEXT, item_price_id TEXT, bucket TEXT,
                                                row_count INTEGER, total TEXT, last_occurred_at TEXT);
            INSERT INTO floor_chargebee_group (subscription_id, item_price_id, bucket, row_count, total, last_occurred_at)
            SELECT subscription_id, item_price_id, substr(occurred_at, 1, 10), COUNT(*), ub_decimal_sum(quantity), MAX(occurred_at)
            FROM chargebee_usage WHERE billing_status = 'pending' AND occurred_at < $cutoff
            GROUP BY subscription_id, item_price_id, substr(occurred_at, 1, 10);
            CREATE INDEX floor_chargebee_group_key ON floor_chargebee_group (subscription_id, item_price_id, bucket);
            UPDATE chargebee_usage SET billing_status = 'billed', billing_submission_id = g.id
            FROM floor_chargebee_group g
            WHERE chargebee_usage.billing_status = 'pending' AND chargebee_usage.occurred_at < $cutoff
              AND g.subscription_id = chargebee_usage.subscription_id AND g.item_price_id = chargebee_usage.item_price_id
              AND g.bucket = substr(chargebee_usage.occurred_at, 1, 10);
            """);
        return new Result(whop, chargebee);
    }

    private static async Task<TimeSpan> TimeAsync(SqliteDatabase database, string cutoff, string sql)
    {
        await using var connection = await database.OpenAsync(CancellationToken.None);
        var start = Stopwatch.GetTimestamp();
        await using var transaction = (SqliteTransaction)await connection.BeginTransactionAsync();
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        command.Parameters.AddWithValue("$cutoff", cutoff);
        await command.ExecuteNonQueryAsync();
        await transaction.CommitAsync();
        return Stopwatch.GetElapsedTime(start);
    }
}
