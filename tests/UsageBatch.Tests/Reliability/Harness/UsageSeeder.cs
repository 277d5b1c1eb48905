using System.Globalization;
using Microsoft.Data.Sqlite;

namespace UsageBatch.Reliability;

/// <summary>
/// Good rows only, random but seeded: Whop quantities with 4 decimals and amounts with 2 over memberships, a company,
/// item ids and identifiers; Chargebee quantities with 2 decimals over three days of buckets. Values are varied
/// enough that two groups of one customer and item almost never total the same (Whop resolves by value). A few rows
/// are dated in the future: they must stay pending.
/// </summary>
internal sealed class UsageSeeder(Random random)
{
    private static readonly string[] WhopCustomers = ["mem_Alpha01", "mem_Bravo02", "mem_Charlie03", "biz_DemoCo2"];
    private static readonly (string Column, string Item, bool Amount)[] WhopItems =
    [
        ("billing_item_id", "bi_ApiCalls01", false), ("billing_item_id", "bi_StorageGb02", false), ("billing_item_identifier", "api-calls", false),
        ("billing_item_id", "bi_Overage03", true), ("billing_item_identifier", "overage-usd", true),
    ];

    private static readonly (string Subscription, string ItemPrice)[] ChargebeePairs =
    [
        ("sub_Acme", "api-calls-USD-monthly"), ("sub_Acme", "storage-USD-monthly"), ("sub_Globex", "api-calls-USD-monthly"),
        ("sub_Globex", "storage-USD-monthly"), ("sub_Initech", "api-calls-USD-monthly"),
    ];

    private int _next;

    public int Rows => _next;

    public static string At(DateTimeOffset value) => value.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    public async Task SeedAsync(SqliteConnection connection, int whop, int chargebee)
    {
        var now = DateTimeOffset.UtcNow;
        await using var transaction = connection.BeginTransaction();
        for (var i = 0; i < whop; i++)
        {
            var customer = WhopCustomers[random.Next(WhopCustomers.Length)];
            var (column, item, isAmount) = WhopItems[random.Next(WhopItems.Length)];
            var value = isAmount
                ? (random.Next(1, 100_000) / 100m).ToString(CultureInfo.InvariantCulture)
                : (random.Next(1, 10_000_000) / 10_000m).ToString(CultureInfo.InvariantCulture);
            using var command = connection.CreateCommand();
            command.Transaction = transaction;
            command.CommandText = $"""
                INSERT INTO whop_usage (source_key, {(customer.StartsWith("mem_", StringComparison.Ordinal) ? "membership_id" : "company_id")}, {column},
                                        {(isAmount ? "amount" : "quantity")}, occurred_at)
                VALUES ($key, $customer, $item, $value, $at)
                """;
            command.Parameters.AddWithValue("$key", "w-" + Next());
            command.Parameters.AddWithValue("$customer", customer);
            command.Parameters.AddWithValue("$item", item);
            command.Parameters.AddWithValue("$value", value);
            command.Parameters.AddWithValue("$at", OccurredAt(now));
            await command.ExecuteNonQueryAsync();
        }

        for (var i = 0; i < chargebee; i++)
        {
            var (subscription, itemPrice) = ChargebeePairs[random.Next(ChargebeePairs.Length)];
            using var command = connection.CreateCommand();
            command.Transaction = transaction;
            command.CommandText = """
                INSERT INTO chargebee_usage (source_key, subscription_id, item_price_id, quantity, occurred_at)
                VALUES ($key, $subscription, $itemPrice, $value, $at)
                """;
            command.Parameters.AddWithValue("$key", "c-" + Next());
            command.Parameters.AddWithValue("$subscription", subscription);
            command.Parameters.AddWithValue("$itemPrice", itemPrice);
            command.Parameters.AddWithValue("$value", (random.Next(1, 5000) / 100m).ToString(CultureInfo.InvariantCulture));
            command.Parameters.AddWithValue("$at", OccurredAt(now));
            await command.ExecuteNonQueryAsync();
        }

        await transaction.CommitAsync();
    }

    private string Next() => (_next++).ToString(CultureInfo.InvariantCulture);

    // Mostly 2 to 60 hours ago (before the cutoff, across three day buckets); one in 40 two days ahead.
    private string OccurredAt(DateTimeOffset now) => random.Next(40) == 0
        ? At(now.AddDays(2).AddSeconds(random.Next(3600)))
        : At(now.AddHours(-2).AddSeconds(-random.Next(58 * 3600)));
}
