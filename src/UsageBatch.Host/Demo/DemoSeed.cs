using System.Globalization;
using Dapper;
using Microsoft.Data.Sqlite;
using UsageBatch.Usage;

namespace UsageBatch.Demo;

/// <summary>
/// A realistic sample for `demo`: a few thousand rows over three days for both providers, against the emulator's
/// built-in fixtures, plus a handful of bad rows so the exceptions show. Source keys are fixed, so seeding twice
/// inserts nothing new (INSERT OR IGNORE on the unique source_key) and a second demo bills nothing new.
/// </summary>
internal static class DemoSeed
{
    public sealed record Counts(int WhopRows, int ChargebeeRows, int ExpectedRejections);

    /// <summary>Rows the demo expects to be rejected (by validation or by the provider) or held, with why.</summary>
    public static readonly IReadOnlyList<(string SourceKey, string Why)> BadRows =
    [
        ("demo-whop-bad-no-customer", "neither company_id nor membership_id"),
        ("demo-whop-bad-amount", "amount '12,50' is not a plain decimal"),
        ("demo-whop-bad-time", "occurred_at not canonical UTC"),
        ("demo-whop-bad-unknown-member", "membership unknown to Whop (provider 404)"),
        ("demo-cb-bad-decimals", "quantity with 3 decimals (Chargebee takes 2)"),
        ("demo-cb-bad-no-time", "occurred_at missing"),
        ("demo-cb-bad-cancelled", "held, not sent: dated after its subscription was cancelled (Chargebee would store it and never bill it)"),
        ("demo-cb-bad-item-price", "item price not on the subscription (400)"),
    ];

    /// <summary>How many seeded rows of a usage table are held on purpose (each in a group of its own).</summary>
    public static int HeldRows(string usageTable) => usageTable == "chargebee_usage" ? 1 : 0;

    public static async Task<Counts> SeedAsync(SqliteConnection connection, DateTimeOffset now, CancellationToken cancellationToken)
    {
        // Three whole days ending two hours ago: everything is older than the default one-hour settleDelay.
        var end = UtcText.WholeSeconds(now).AddHours(-2);
        var start = end.AddDays(-3);
        var random = new Random(20261121);
        string Time(double fraction) => UtcText.Format(start + (end - start) * fraction).Replace(".000Z", "Z", StringComparison.Ordinal);
        string Num(decimal d) => DecimalText.Format(d);

        await using var transaction = (SqliteTransaction)await connection.BeginTransactionAsync(cancellationToken);
        var whop = new List<object>();
        string[] members = ["mem_Alpha01", "mem_Bravo02", "mem_Charlie03"];
        for (var i = 0; i < 1800; i++)
        {
            var member = members[i % members.Length];
            var useCompany = i % 10 == 9;
            var kind = (i / 3) % 3; // every customer gets every kind of item
            var quantity = kind == 2 ? null : Num(random.Next(1, 40) + (i % 4 == 0 ? 0.5m : 0m));
            var amount = kind == 2 ? Num(random.Next(25, 500) / 100m) : null;
            whop.Add(new
            {
                Key = $"demo-whop-{i:D5}",
                Company = useCompany ? "biz_DemoCo2" : null,
                Member = useCompany ? null : member,
                ItemId = kind == 0 ? "bi_ApiCalls01" : kind == 2 ? "bi_Overage03" : null,
                ItemIdentifier = kind == 1 ? "storage-gb" : null,
                Amount = amount,
                Quantity = quantity,
                At = Time(random.NextDouble()),
            });
        }

        // A correction row: nets one group down without making it negative.
        whop.Add(new { Key = "demo-whop-correction", Company = (string?)null, Member = "mem_Alpha01", ItemId = "bi_ApiCalls01", ItemIdentifier = (string?)null, Amount = (string?)null, Quantity = "-3", At = Time(0.5) });
        whop.Add(new { Key = "demo-whop-bad-no-customer", Company = (string?)null, Member = (string?)null, ItemId = "bi_ApiCalls01", ItemIdentifier = (string?)null, Amount = (string?)null, Quantity = "2", At = Time(0.4) });
        whop.Add(new { Key = "demo-whop-bad-amount", Company = (string?)null, Member = "mem_Bravo02", ItemId = "bi_Overage03", ItemIdentifier = (string?)null, Amount = "12,50", Quantity = (string?)null, At = Time(0.3) });
        whop.Add(new { Key = "demo-whop-bad-time", Company = (string?)null, Member = "mem_Bravo02", ItemId = "bi_ApiCalls01", ItemIdentifier = (string?)null, Amount = (string?)null, Quantity = "1", At = Time(0.2).Replace('T', ' ') });
        whop.Add(new { Key = "demo-whop-bad-unknown-member", Company = (string?)null, Member = "mem_Nobody99", ItemId = "bi_ApiCalls01", ItemIdentifier = (string?)null, Amount = (string?)null, Quantity = "5", At = Time(0.6) });
        await connection.ExecuteAsync(new CommandDefinition(
            """
            INSERT OR IGNORE INTO whop_usage (source_key, company_id, membership_id, billing_item_id, billing_item_identifier, amount, quantity, occurred_at)
            VALUES (@Key, @Company, @Member, @ItemId, @ItemIdentifier, @Amount, @Quantity, @At)
            """, whop, transaction, cancellationToken: cancellationToken));

        var chargebee = new List<object>();
        (string Sub, string Price)[] pairs =
        [
            ("sub_Acme", "api-calls-USD-monthly"), ("sub_Acme", "storage-USD-monthly"),
            ("sub_Globex", "api-calls-USD-monthly"), ("sub_Globex", "storage-USD-monthly"), ("sub_Initech", "api-calls-USD-monthly"),
        ];
        for (var i = 0; i < 1800; i++)
        {
            var (sub, price) = pairs[i % pairs.Length];
            chargebee.Add(new { Key = $"demo-cb-{i:D5}", Sub = sub, Price = price, Quantity = Num(random.Next(1, 2000) / 100m), At = (string?)Time(random.NextDouble()), Note = $"meter export line {i}" });
        }

        chargebee.Add(new { Key = "demo-cb-bad-decimals", Sub = "sub_Acme", Price = "api-calls-USD-monthly", Quantity = "1.234", At = (string?)Time(0.5), Note = "three decimals" });
        chargebee.Add(new { Key = "demo-cb-bad-no-time", Sub = "sub_Globex", Price = "api-calls-USD-monthly", Quantity = "4", At = (string?)null, Note = "no timestamp" });
        chargebee.Add(new { Key = "demo-cb-bad-cancelled", Sub = "sub_Umbrella", Price = "api-calls-USD-monthly", Quantity = "7", At = (string?)Time(0.7), Note = "cancelled subscription" });
        chargebee.Add(new { Key = "demo-cb-bad-item-price", Sub = "sub_Initech", Price = "storage-USD-monthly", Quantity = "3", At = (string?)Time(0.8), Note = "item price not on this subscription" });
        await connection.ExecuteAsync(new CommandDefinition(
            """
            INSERT OR IGNORE INTO chargebee_usage (source_key, subscription_id, item_price_id, quantity, occurred_at, note)
            VALUES (@Key, @Sub, @Price, @Quantity, @At, @Note)
            """, chargebee, transaction, cancellationToken: cancellationToken));
        await transaction.CommitAsync(cancellationToken);
        return new Counts(whop.Count, chargebee.Count, BadRows.Count);
    }
}
