using System.Globalization;
using Microsoft.Data.Sqlite;

namespace UsageBatch.Reliability;

/// <summary>
/// I1–I3 and I2's "nothing left claimed", read from the database and from the provider's own list endpoints:
/// every provider usage is covered by billed rows that sum to its value (or is explained by a held submission);
/// every billed row's usage exists at the provider; every row is billed, rejected/held with a reason, or pending
/// because it is dated after the cutoff; no row is claimed; no seeded row went missing.
/// </summary>
internal static class InvariantCheck
{
    // Whop lists usages by item id; rows may name the item by identifier.
    private static readonly Dictionary<string, string> WhopIdentifiers = new(StringComparer.Ordinal)
    {
        ["api-calls"] = "bi_ApiCalls01", ["storage-gb"] = "bi_StorageGb02", ["overage-usd"] = "bi_Overage03",
    };

    public sealed record UsageRowState(string Table, long Id, string SourceKey, string Status, long? SubmissionId, string? UsageId, string? Error,
        string? Customer, string? Item, string? Value, string? OccurredAt);

    /// <param name="allowedNonBilled">Rows the caller expects rejected or held (the bad-input corpus); null: none.</param>
    public static async Task<CheckResult> RunAsync(ReliabilityWorld world, int seededRows, Func<UsageRowState, bool>? allowedNonBilled = null)
    {
        var problems = new List<string>();
        int lost = 0, doubleBilled = 0;
        await using var connection = await world.OpenAsync();
        var rows = await ReadRowsAsync(connection);
        var submissions = await ReadSubmissionsAsync(connection);
        var now = DateTime.UtcNow.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

        if (rows.Count < seededRows)
        {
            lost += seededRows - rows.Count;
            problems.Add($"{seededRows - rows.Count} seeded rows are missing from the tables");
        }

        foreach (var row in rows)
        {
            switch (row.Status)
            {
                case "billed":
                    break;
                case "pending" when string.CompareOrdinal(row.OccurredAt, now) > 0:
                    break; // dated after the cutoff: stays pending, `status` counts it
                case "rejected" or "held" when !string.IsNullOrWhiteSpace(row.Error) && (row.Status == "held" || allowedNonBilled?.Invoke(row) == true):
                    break;
                default:
                    lost++;
                    problems.Add($"{row.Table} row {row.Id} ({row.SourceKey}) is {row.Status}: {row.Error ?? "no reason"}");
                    break;
            }
        }

        var whop = await world.Emulator.ListWhopAsync();
        var chargebee = await world.Emulator.ListChargebeeAsync();
        foreach (var (table, usages) in new[] { ("whop_usage", whop), ("chargebee_usage", chargebee) })
        {
            var billed = rows.Where(r => r.Table == table && r.Status == "billed").ToList();
            var byUsage = billed.Where(r => r.UsageId is not null).GroupBy(r => r.UsageId!, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.ToList(), StringComparer.Ordinal);
            var provider = usages.ToDictionary(u => u.Id, StringComparer.Ordinal);
            foreach (var (usageId, covered) in byUsage)
            {
                if (!provider.TryGetValue(usageId, out var usage))
                {
                    lost += covered.Count;
                    problems.Add($"{covered.Count} {table} rows are billed as {usageId}, which the provider does not list");
                    continue;
                }

                var sum = covered.Sum(r => Decimal(r.Value));
                if (sum != usage.Value || covered.Any(r => r.Customer != usage.Customer || ItemId(r.Item) != usage.Item))
                {
                    doubleBilled++;
                    problems.Add($"provider usage {usageId} ({usage.Customer}/{usage.Item} {usage.Value}) does not match its {covered.Count} billed rows (sum {sum})");
                }
            }

            foreach (var zero in billed.Where(r => r.UsageId is null))
            {
                if (!submissions.TryGetValue(zero.SubmissionId ?? -1, out var s) || s.Status != "zero")
                {
                    lost++;
                    problems.Add($"{table} row {zero.Id} is billed without a provider usage and not in a zero-sum group");
                }
            }

            // A provider usage no billed row points at billed something twice, unless a held submission explains it
            // (its outcome is under review: Chargebee by our own usage id, Whop by customer, item and value).
            var held = submissions.Values.Where(s => s.Status == "held" && s.UsageTable == table).ToList();
            foreach (var orphan in usages.Where(u => !byUsage.ContainsKey(u.Id)))
            {
                var explained = held.FirstOrDefault(s => s.UsageId == orphan.Id || s.ProviderUsageId == orphan.Id
                    || (table == "whop_usage" && s.Customer == orphan.Customer && ItemId(s.Item) == orphan.Item && Decimal(s.Total) == orphan.Value));
                if (explained is null)
                {
                    doubleBilled++;
                    problems.Add($"provider usage {orphan.Id} ({orphan.Customer}/{orphan.Item} {orphan.Value}) covers no billed row: billed twice");
                }
                else
                {
                    held.Remove(explained);
                }
            }
        }

        // I3: a confirmed submission's billed rows sum to what the provider echoed.
        foreach (var s in submissions.Values.Where(s => s.Status == "confirmed" && s.EchoedTotal is not null))
        {
            var sum = rows.Where(r => r.Table == s.UsageTable && r.SubmissionId == s.Id && r.Status == "billed").Sum(r => Decimal(r.Value));
            if (sum != Decimal(s.EchoedTotal))
            {
                problems.Add($"submission {s.Id}: billed rows total {sum}, provider echoed {s.EchoedTotal}");
                doubleBilled++;
            }
        }

        return new CheckResult(rows.Count, rows.Count(r => r.Status == "billed"), rows.Count(r => r.Status == "rejected"),
            rows.Count(r => r.Status == "held"), rows.Count(r => r.Status == "pending"), whop.Count + chargebee.Count, doubleBilled, lost, problems);
    }

    private static string? ItemId(string? item) => item is not null && WhopIdentifiers.TryGetValue(item, out var id) ? id : item;

    private static decimal Decimal(string? text) =>
        decimal.TryParse(text, NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var v) ? v : decimal.MinValue;

    public static async Task<List<UsageRowState>> ReadRowsAsync(SqliteConnection connection)
    {
        var rows = new List<UsageRowState>();
        foreach (var (table, customer, item, value) in new[]
                 {
                     ("whop_usage", "COALESCE(membership_id, company_id)", "COALESCE(billing_item_id, billing_item_identifier)", "COALESCE(amount, quantity)"),
                     ("chargebee_usage", "subscription_id", "item_price_id", "quantity"),
                 })
        {
            using var command = connection.CreateCommand();
            command.CommandText = $"""
                SELECT id, source_key, billing_status, billing_submission_id, provider_usage_id, billing_error,
                       CAST({customer} AS TEXT), CAST({item} AS TEXT), CAST({value} AS TEXT), CAST(occurred_at AS TEXT)
                FROM {table} ORDER BY id
                """;
            await using var reader = await command.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                string? Text(int i) => reader.IsDBNull(i) ? null : reader.GetString(i);
                rows.Add(new UsageRowState(table, reader.GetInt64(0), reader.GetString(1), reader.GetString(2), reader.IsDBNull(3) ? null : reader.GetInt64(3),
                    Text(4), Text(5), Text(6), Text(7), Text(8), Text(9)));
            }
        }

        return rows;
    }

    private sealed record Submission(long Id, string Status, string UsageTable, string Customer, string Item, string? UsageId, string Total,
        string? EchoedTotal, string? ProviderUsageId);

    private static async Task<Dictionary<long, Submission>> ReadSubmissionsAsync(SqliteConnection connection)
    {
        var result = new Dictionary<long, Submission>();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT id, status, usage_table, customer_id, item_id, usage_id, total, echoed_total, provider_usage_id FROM ub_submission";
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            string? Text(int i) => reader.IsDBNull(i) ? null : Convert.ToString(reader.GetValue(i), CultureInfo.InvariantCulture);
            result[reader.GetInt64(0)] = new Submission(reader.GetInt64(0), reader.GetString(1), reader.GetString(2), reader.GetString(3), reader.GetString(4),
                Text(5), Text(6) ?? "0", Text(7), Text(8));
        }

        return result;
    }
}
