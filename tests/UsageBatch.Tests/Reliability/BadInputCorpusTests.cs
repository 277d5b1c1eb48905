using Microsoft.Data.Sqlite;
using UsageBatch.Reliability;

namespace UsageBatch.Tests.Reliability;

/// <summary>
/// I2, I5, I6 through the real executable: the whole corpus goes into one database beside good rows, one
/// `usagebatch run` bills both tables, and every row ends where its case says with a reason naming the field, while
/// the good rows are billed and reconcile with the provider's own lists.
/// </summary>
[Collection(ReliabilityCollection.Name)]
public sealed class BadInputCorpusTests
{
    private static readonly (string Table, string Key, string Target, string Value)[] GoodRows =
    [
        ("whop_usage", "good-w1", "mem_Alpha01|bi_ApiCalls01|quantity", "2.5"),
        ("whop_usage", "good-w2", "mem_Bravo02|api-calls|quantity", "4"),
        ("whop_usage", "good-w3", "mem_Alpha01|bi_Overage03|amount", "3.25"),
        ("whop_usage", "good-w4", "biz_DemoCo2|bi_ApiCalls01|quantity", "0.0001"),
        ("chargebee_usage", "good-c1", "sub_Acme|api-calls-USD-monthly", "2"),
        ("chargebee_usage", "good-c2", "sub_Globex|api-calls-USD-monthly", "7.5"),
        ("chargebee_usage", "good-c3", "sub_Initech|api-calls-USD-monthly", "0.01"),
        ("chargebee_usage", "good-c4", "sub_Acme|storage-USD-monthly", "3"),
    ];

    [Fact]
    public async Task Run_CorpusBesideGoodRows_EachRowEndsAsItsCaseSaysAndGoodRowsAreBilled()
    {
        Assert.True(BadInputCorpus.Cases.Count >= 40, $"{BadInputCorpus.Cases.Count} cases");
        await using var world = await ReliabilityWorld.StartAsync(new ReliabilitySettings { MaxQuantityPerSubmission = "1000000", LeaseDuration = TimeSpan.FromSeconds(20), Timeout = TimeSpan.FromSeconds(5) });
        await using (var connection = await world.OpenAsync())
        {
            foreach (var (table, key, target, value) in GoodRows)
            {
                await InsertAsync(connection, table, GoodColumns(key, target, value));
            }

            foreach (var c in BadInputCorpus.Cases)
            {
                await InsertAsync(connection, c.Table, c.Columns);
            }

            // Refused at insert, never seen by the job: a duplicate source key, a missing one, an unknown status.
            var duplicate = await Assert.ThrowsAsync<SqliteException>(() => InsertAsync(connection, "whop_usage", GoodColumns("good-w1", "mem_Alpha01|bi_ApiCalls01|quantity", "99")));
            Assert.Contains("UNIQUE", duplicate.Message, StringComparison.Ordinal);
            var chargebeeDuplicate = await Assert.ThrowsAsync<SqliteException>(() => InsertAsync(connection, "chargebee_usage", GoodColumns("good-c1", "sub_Acme|api-calls-USD-monthly", "99")));
            Assert.Contains("UNIQUE", chargebeeDuplicate.Message, StringComparison.Ordinal);
            var noKey = new Dictionary<string, object?>(GoodColumns("x", "mem_Alpha01|bi_ApiCalls01|quantity", "1")) { ["source_key"] = null };
            Assert.Contains("NOT NULL", (await Assert.ThrowsAsync<SqliteException>(() => InsertAsync(connection, "whop_usage", noKey))).Message, StringComparison.Ordinal);
            var badStatus = new Dictionary<string, object?>(GoodColumns("y", "mem_Alpha01|bi_ApiCalls01|quantity", "1")) { ["billing_status"] = "billed; --" };
            Assert.Contains("CHECK", (await Assert.ThrowsAsync<SqliteException>(() => InsertAsync(connection, "whop_usage", badStatus))).Message, StringComparison.Ordinal);
        }

        using var run = world.StartRun(ReliabilityWorld.WhopJob(0), ReliabilityWorld.ChargebeeJob(0));
        var exit = await run.WaitAsync(TimeSpan.FromMinutes(2));

        Assert.True(exit == 1, $"exit {exit} (1 expected: rows rejected and held):\n{run.Output}");
        List<InvariantCheck.UsageRowState> rows;
        await using (var connection = await world.OpenAsync())
        {
            rows = await InvariantCheck.ReadRowsAsync(connection);
        }

        var byKey = rows.ToDictionary(r => r.SourceKey, StringComparer.Ordinal);
        var wrong = new List<string>();
        foreach (var c in BadInputCorpus.Cases)
        {
            var row = byKey[c.SourceKey];
            if (row.Status != c.Expected || (c.Mentions is not null && row.Error?.Contains(c.Mentions, StringComparison.OrdinalIgnoreCase) != true)
                || (c.Expected is "billed" or "pending" && row.Error is not null))
            {
                wrong.Add($"{c.Name}{(c.SqliteOnly ? " [SQLite only]" : "")}: {row.Status} ({row.Error ?? "no reason"}), expected {c.Expected} naming '{c.Mentions}'");
            }
        }

        Assert.True(wrong.Count == 0, string.Join("\n", wrong));
        Assert.All(GoodRows, g => Assert.Equal("billed", byKey[g.Key].Status));
        var expectedNotBilled = BadInputCorpus.Cases.Where(c => c.Expected is "rejected" or "held").Select(c => c.SourceKey).ToHashSet(StringComparer.Ordinal);
        var check = await InvariantCheck.RunAsync(world, GoodRows.Length + BadInputCorpus.Cases.Count, r => expectedNotBilled.Contains(r.SourceKey));
        Assert.True(check.Ok, check.ToString());

        // Future-dated rows stay pending, and `status` counts them.
        using var status = world.Start("status");
        Assert.Equal(0, await status.WaitAsync(TimeSpan.FromMinutes(1)));
        Assert.Matches(@"whop-0 \(whop_usage\): [^\n]*pending 0, future-dated 1,", status.Output);
        Assert.Matches(@"chargebee-0 \(chargebee_usage\): [^\n]*pending 0, future-dated 1,", status.Output);
    }

    private static Dictionary<string, object?> GoodColumns(string key, string target, string value)
    {
        var parts = target.Split('|');
        if (parts.Length == 2)
        {
            return new(StringComparer.Ordinal)
            {
                ["source_key"] = key, ["subscription_id"] = parts[0], ["item_price_id"] = parts[1], ["quantity"] = value, ["occurred_at"] = BadInputCorpus.Good,
            };
        }

        return new(StringComparer.Ordinal)
        {
            ["source_key"] = key,
            [parts[0].StartsWith("mem_", StringComparison.Ordinal) ? "membership_id" : "company_id"] = parts[0],
            [parts[1].StartsWith("bi_", StringComparison.Ordinal) ? "billing_item_id" : "billing_item_identifier"] = parts[1],
            [parts[2]] = value,
            ["occurred_at"] = BadInputCorpus.Good,
        };
    }

    private static async Task InsertAsync(SqliteConnection connection, string table, IReadOnlyDictionary<string, object?> columns)
    {
        using var command = connection.CreateCommand();
        var names = columns.Keys.ToList();
        command.CommandText = $"INSERT INTO {table} ({string.Join(", ", names)}) VALUES ({string.Join(", ", names.Select((_, i) => "$p" + i.ToString(System.Globalization.CultureInfo.InvariantCulture)))})";
        for (var i = 0; i < names.Count; i++)
        {
            command.Parameters.AddWithValue("$p" + i.ToString(System.Globalization.CultureInfo.InvariantCulture), columns[names[i]] ?? DBNull.Value);
        }

        await command.ExecuteNonQueryAsync();
    }
}
