using System.Globalization;
using Microsoft.Data.Sqlite;
using UsageBatch.Storage;
using UsageBatch.Emulator;
using UsageBatch.Storage.Sqlite;

namespace UsageBatch.Benchmarks;

/// <summary>
/// Deterministic rows: Whop groups are (membership, billing item, quantity), up to 50 items per membership;
/// Chargebee groups are (subscription, item price, UTC day), up to 100 days per subscription (far under the
/// 5,000-usage cap). Rows are dealt round-robin over the groups, all positive and all dated before the cutoff.
/// </summary>
internal sealed class DataLayout
{
    public DataLayout(int rows, int groups, DateTimeOffset now)
    {
        WhopRows = rows / 2;
        ChargebeeRows = rows - WhopRows;
        WhopGroups = groups / 2;
        ChargebeeGroups = groups - WhopGroups;
        Items = Math.Min(50, WhopGroups);
        Days = Math.Min(100, ChargebeeGroups);
        Cutoff = now - TimeSpan.FromHours(1);
        // Two days back at midnight: every row (spread over at most a day) is well before the cutoff.
        Midnight = new DateTimeOffset(now.UtcDateTime.Date, TimeSpan.Zero).AddDays(-2);
    }

    public int WhopRows { get; }
    public int ChargebeeRows { get; }
    public int WhopGroups { get; }
    public int ChargebeeGroups { get; }
    public int Items { get; }
    public int Days { get; }
    public DateTimeOffset Cutoff { get; }
    public DateTimeOffset Midnight { get; }

    private int Memberships => (WhopGroups + Items - 1) / Items;
    private int Subscriptions => (ChargebeeGroups + Days - 1) / Days;

    private static string Membership(int m) => string.Create(CultureInfo.InvariantCulture, $"mem_Bench{m:D6}");
    private static string Item(int i) => string.Create(CultureInfo.InvariantCulture, $"bi_Bench{i:D3}");
    private static string Subscription(int s) => string.Create(CultureInfo.InvariantCulture, $"sub_Bench{s:D6}");
    private static string Time(DateTimeOffset t) => t.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    public EmulatorFixtures Fixtures() => new()
    {
        Whop = new WhopFixtures
        {
            ApiKeys = ["whop_test_key"],
            Companies = ["biz_Bench1"],
            Memberships = Enumerable.Range(0, Memberships).Select(m => new WhopMembership { Id = Membership(m), CompanyId = "biz_Bench1" }).ToList(),
            BillingItems = Enumerable.Range(0, Items).Select(i => new WhopBillingItem { Id = Item(i), Type = "structured" }).ToList(),
        },
        Chargebee = new ChargebeeFixtures
        {
            ApiKeys = ["cb_test_key"],
            Subscriptions = Enumerable.Range(0, Subscriptions).Select(s => new ChargebeeSubscription { Id = Subscription(s), ItemPrices = [ItemPrice] }).ToList(),
        },
    };

    private const string ItemPrice = "api-calls-USD-monthly";

    /// <summary>Creates the schema and inserts every row in one transaction through one prepared command per table.</summary>
    public static async Task GenerateAsync(DataLayout layout, string path)
    {
        var database = new SqliteDatabase($"Data Source={path}");
        await new BillingStore(new SqliteDialect(database)).EnsureSchemaAsync(CancellationToken.None);
        await using var connection = await database.OpenAsync(CancellationToken.None);
        await using (var transaction = (SqliteTransaction)await connection.BeginTransactionAsync())
        {
            await using var whop = connection.CreateCommand();
            whop.Transaction = transaction;
            whop.CommandText = "INSERT INTO whop_usage (source_key, membership_id, billing_item_id, quantity, occurred_at) VALUES ($k, $m, $i, $q, $t)";
            var (k, m, i, q, t) = (whop.Parameters.Add("$k", SqliteType.Text), whop.Parameters.Add("$m", SqliteType.Text),
                whop.Parameters.Add("$i", SqliteType.Text), whop.Parameters.Add("$q", SqliteType.Text), whop.Parameters.Add("$t", SqliteType.Text));
            whop.Prepare();
            for (var row = 0; row < layout.WhopRows; row++)
            {
                var group = row % layout.WhopGroups;
                k.Value = string.Create(CultureInfo.InvariantCulture, $"w-{row}");
                m.Value = Membership(group / layout.Items);
                i.Value = Item(group % layout.Items);
                q.Value = string.Create(CultureInfo.InvariantCulture, $"{row % 9 + 1}.5");
                t.Value = Time(layout.Midnight.AddSeconds(row / layout.WhopGroups % 86_400));
                await whop.ExecuteNonQueryAsync();
            }

            await using var chargebee = connection.CreateCommand();
            chargebee.Transaction = transaction;
            chargebee.CommandText = "INSERT INTO chargebee_usage (source_key, subscription_id, item_price_id, quantity, occurred_at) VALUES ($k, $s, $p, $q, $t)";
            var (ck, cs, cp, cq, ct) = (chargebee.Parameters.Add("$k", SqliteType.Text), chargebee.Parameters.Add("$s", SqliteType.Text),
                chargebee.Parameters.Add("$p", SqliteType.Text), chargebee.Parameters.Add("$q", SqliteType.Text), chargebee.Parameters.Add("$t", SqliteType.Text));
            chargebee.Prepare();
            cp.Value = ItemPrice;
            for (var row = 0; row < layout.ChargebeeRows; row++)
            {
                var group = row % layout.ChargebeeGroups;
                ck.Value = string.Create(CultureInfo.InvariantCulture, $"c-{row}");
                cs.Value = Subscription(group / layout.Days);
                cq.Value = string.Create(CultureInfo.InvariantCulture, $"{row % 9 + 1}.25");
                ct.Value = Time(layout.Midnight.AddDays(-(group % layout.Days)).AddSeconds(row / layout.ChargebeeGroups % 86_400));
                await chargebee.ExecuteNonQueryAsync();
            }

            await transaction.CommitAsync();
        }

        await using var checkpoint = connection.CreateCommand();
        checkpoint.CommandText = "PRAGMA wal_checkpoint(TRUNCATE)";
        await checkpoint.ExecuteNonQueryAsync();
    }
}
