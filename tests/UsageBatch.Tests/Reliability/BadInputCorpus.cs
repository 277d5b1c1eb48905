using System.Globalization;

namespace UsageBatch.Tests.Reliability;

/// <summary>
/// The bad-input corpus (issue 8): broken and hostile rows of every kind, each with the state it must end in and
/// the field its reason names. <c>sqliteOnly</c> marks rows only SQLite's loose typing can hold: SQL Server's typed
/// columns (decimal(28,10), datetime2(3), varchar(100)/nvarchar(200)) would refuse or convert the value at insert
/// (an 11th decimal is rounded silently there, README for DBAs). Good rows sit beside them and must be billed normally (I6). Targets are chosen so
/// no bad group shares a customer and item with a good one, except where a row is meant to be billed.
/// </summary>
internal static class BadInputCorpus
{
    public static readonly string Good = UtcAgo(TimeSpan.FromHours(3));

    public static string UtcAgo(TimeSpan ago) =>
        DateTime.UtcNow.Subtract(ago).ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    private static int _key;

    private static string Key(string name) => $"bad-{Interlocked.Increment(ref _key).ToString(CultureInfo.InvariantCulture)}-{name}";

    /// <summary>A Whop row: mem_Alpha01 / bi_ApiCalls01 / quantity 1.5, with the given columns replaced.</summary>
    private static BadInputCase W(string name, string expected, string? mentions, Dictionary<string, object?> overrides, bool sqliteOnly = false)
    {
        var columns = new Dictionary<string, object?>(StringComparer.Ordinal)
        {
            ["source_key"] = Key(name), ["company_id"] = null, ["membership_id"] = "mem_Alpha01", ["billing_item_id"] = "bi_ApiCalls01",
            ["billing_item_identifier"] = null, ["amount"] = null, ["quantity"] = "1.5", ["occurred_at"] = Good,
        };
        foreach (var (k, v) in overrides)
        {
            columns[k] = v;
        }

        return new BadInputCase("whop: " + name, "whop_usage", columns, expected, mentions, sqliteOnly);
    }

    /// <summary>A Chargebee row: sub_Acme / api-calls-USD-monthly / quantity 2, with the given columns replaced.</summary>
    private static BadInputCase C(string name, string expected, string? mentions, Dictionary<string, object?> overrides, bool sqliteOnly = false)
    {
        var columns = new Dictionary<string, object?>(StringComparer.Ordinal)
        {
            ["source_key"] = Key(name), ["subscription_id"] = "sub_Acme", ["item_price_id"] = "api-calls-USD-monthly", ["quantity"] = "2",
            ["occurred_at"] = Good, ["note"] = null,
        };
        foreach (var (k, v) in overrides)
        {
            columns[k] = v;
        }

        return new BadInputCase("chargebee: " + name, "chargebee_usage", columns, expected, mentions, sqliteOnly);
    }

    private const string Rejected = "rejected";
    private const string Billed = "billed";
    private const string Held = "held";
    private const string Pending = "pending";
    private const string SqlInjection = "x'); DROP TABLE whop_usage; --";
    private const string CsvInjection = "=HYPERLINK(\"http://evil.example\",\"x\")";

    public static IReadOnlyList<BadInputCase> Cases { get; } = Build();

    private static List<BadInputCase> Build() =>
    [
        // Missing and doubled ids and values.
        W("no customer", Rejected, "company_id", new() { ["membership_id"] = null }),
        W("company and membership both set", Rejected, "membership_id", new() { ["company_id"] = "biz_DemoCo1" }),
        W("no billing item", Rejected, "billing_item_id", new() { ["billing_item_id"] = null }),
        W("item id and identifier both set", Rejected, "billing_item_identifier", new() { ["billing_item_identifier"] = "api-calls" }),
        W("no amount or quantity", Rejected, "amount", new() { ["quantity"] = null }),
        W("amount and quantity both set", Rejected, "quantity", new() { ["amount"] = "1.5" }),
        C("no subscription", Rejected, "subscription_id", new() { ["subscription_id"] = null }),
        C("no item price", Rejected, "item_price_id", new() { ["item_price_id"] = null }),
        C("no quantity", Rejected, "quantity", new() { ["quantity"] = null }),

        // Numbers in TEXT columns that are not plain decimals.
        W("non-numeric quantity", Rejected, "quantity", new() { ["quantity"] = "abc" }, sqliteOnly: true),
        W("exponent notation", Rejected, "quantity", new() { ["quantity"] = "1e3" }, sqliteOnly: true),
        W("negative exponent", Rejected, "quantity", new() { ["quantity"] = "1E-2" }, sqliteOnly: true),
        W("decimal comma", Rejected, "quantity", new() { ["quantity"] = "12,50" }, sqliteOnly: true),
        W("thousands separator", Rejected, "quantity", new() { ["quantity"] = "1,000.5" }, sqliteOnly: true),
        W("leading space", Rejected, "quantity", new() { ["quantity"] = " 5" }, sqliteOnly: true),
        W("leading plus", Rejected, "quantity", new() { ["quantity"] = "+5" }, sqliteOnly: true),
        W("no integer digit", Rejected, "quantity", new() { ["quantity"] = ".5" }, sqliteOnly: true),
        W("trailing point", Rejected, "quantity", new() { ["quantity"] = "5." }, sqliteOnly: true),
        W("NaN", Rejected, "quantity", new() { ["quantity"] = "NaN" }, sqliteOnly: true),
        W("Infinity", Rejected, "quantity", new() { ["quantity"] = "Infinity" }, sqliteOnly: true),
        W("full-width digits", Rejected, "quantity", new() { ["quantity"] = "\uFF15" }, sqliteOnly: true),
        W("hex", Rejected, "quantity", new() { ["quantity"] = "0x10" }, sqliteOnly: true),
        W("empty string", Rejected, "quantity", new() { ["quantity"] = "" }, sqliteOnly: true),
        C("exponent notation", Rejected, "quantity", new() { ["quantity"] = "1e2" }, sqliteOnly: true),
        W("REAL bound into TEXT becomes '1.0e-07'", Rejected, "quantity", new() { ["quantity"] = 1e-7 }, sqliteOnly: true),
        W("BLOB quantity", Rejected, "quantity", new() { ["quantity"] = new byte[] { 0x31, 0x00, 0x32 } }, sqliteOnly: true),

        // Precision and range.
        W("11 decimals (Whop takes 10)", Rejected, "quantity", new() { ["quantity"] = "1.00000000001" }, sqliteOnly: true),
        W("amount with 3 decimals", Rejected, "amount", new() { ["billing_item_id"] = "bi_Overage03", ["quantity"] = null, ["amount"] = "2.555" }),
        C("3 decimals (Chargebee takes 2)", Rejected, "quantity", new() { ["quantity"] = "1.005" }),
        W("huge value", Rejected, "quantity", new() { ["quantity"] = "99999999999999999999999999999999" }, sqliteOnly: true),
        C("huge value", Rejected, "quantity", new() { ["quantity"] = "99999999999999999999999999999999" }, sqliteOnly: true),
        W("more digits than a double carries", Rejected, "quantity", new() { ["quantity"] = "1234567890.123456" }),
        W("above maxQuantityPerSubmission", Held, "maxQuantityPerSubmission", new() { ["membership_id"] = "mem_Bravo02", ["billing_item_id"] = "bi_StorageGb02", ["quantity"] = "5000000" }),

        // Groups that net negative or to zero (their own customer and item).
        W("group netting negative (+5)", Rejected, "net to -3", new() { ["membership_id"] = "mem_Charlie03", ["billing_item_id"] = "bi_StorageGb02", ["quantity"] = "5" }),
        W("group netting negative (-8)", Rejected, "net to -3", new() { ["membership_id"] = "mem_Charlie03", ["billing_item_id"] = "bi_StorageGb02", ["quantity"] = "-8" }),
        W("group netting zero (+5)", Billed, null, new() { ["membership_id"] = null, ["company_id"] = "biz_DemoCo1", ["billing_item_id"] = "bi_StorageGb02", ["quantity"] = "5" }),
        W("group netting zero (-5)", Billed, null, new() { ["membership_id"] = null, ["company_id"] = "biz_DemoCo1", ["billing_item_id"] = "bi_StorageGb02", ["quantity"] = "-5" }),
        C("group netting negative (+1)", Rejected, "net to -1", new() { ["subscription_id"] = "sub_Globex", ["item_price_id"] = "storage-USD-monthly", ["quantity"] = "1" }),
        C("group netting negative (-2)", Rejected, "net to -1", new() { ["subscription_id"] = "sub_Globex", ["item_price_id"] = "storage-USD-monthly", ["quantity"] = "-2" }),

        // Overlong, non-ASCII and wrongly typed ids.
        W("overlong membership_id", Rejected, "membership_id", new() { ["membership_id"] = "mem_" + new string('a', 97) }, sqliteOnly: true),
        W("non-ASCII membership_id", Rejected, "membership_id", new() { ["membership_id"] = "mem_\u00C5lpha01" }),
        W("INTEGER membership_id", Rejected, "membership_id", new() { ["membership_id"] = 12345L }, sqliteOnly: true),
        W("overlong billing_item_identifier", Rejected, "billing_item_identifier", new() { ["billing_item_id"] = null, ["billing_item_identifier"] = new string('i', 201) }, sqliteOnly: true),
        W("control character in identifier", Rejected, "billing_item_identifier", new() { ["billing_item_id"] = null, ["billing_item_identifier"] = "api\u0007calls" }),
        W("identifier with leading space", Rejected, "billing_item_identifier", new() { ["billing_item_id"] = null, ["billing_item_identifier"] = " api-calls" }),
        C("subscription_id with a space", Rejected, "subscription_id", new() { ["subscription_id"] = "sub Acme" }),
        C("non-ASCII subscription_id", Rejected, "subscription_id", new() { ["subscription_id"] = "sub_\u00C4cme" }),
        C("overlong subscription_id", Rejected, "subscription_id", new() { ["subscription_id"] = "sub_" + new string('x', 97) }, sqliteOnly: true),
        W("overlong source_key", Rejected, "source_key", new() { ["source_key"] = "k" + new string('x', 200) }, sqliteOnly: true),

        // SQL and CSV injection text in every text column: refused by shape, refused by the provider, or harmless.
        W("SQL injection in source_key", Billed, null, new() { ["source_key"] = SqlInjection }),
        W("CSV injection in source_key", Billed, null, new() { ["source_key"] = CsvInjection }),
        W("non-ASCII source_key", Billed, null, new() { ["source_key"] = "\u043A\u043B\u044E\u0447-\u2713" }),
        W("SQL injection in company_id", Rejected, "company_id", new() { ["membership_id"] = null, ["company_id"] = "biz_x'; DROP TABLE whop_usage; --" }),
        W("SQL injection in membership_id", Rejected, "membership_id", new() { ["membership_id"] = "mem_A' OR '1'='1" }),
        W("CSV injection in membership_id", Rejected, "membership_id", new() { ["membership_id"] = "=cmd|' /C calc'!A0" }),
        W("SQL injection in billing_item_id", Rejected, "billing_item_id", new() { ["billing_item_id"] = "bi_1; DELETE FROM whop_usage" }),
        W("SQL injection in billing_item_identifier", Rejected, "billing_item_identifier", new() { ["billing_item_id"] = null, ["billing_item_identifier"] = SqlInjection }),
        W("CSV injection in billing_item_identifier", Rejected, "billing_item_identifier", new() { ["billing_item_id"] = null, ["billing_item_identifier"] = CsvInjection }),
        W("SQL injection in quantity", Rejected, "quantity", new() { ["quantity"] = "1; DROP TABLE whop_usage" }, sqliteOnly: true),
        W("CSV injection in amount", Rejected, "amount", new() { ["billing_item_id"] = "bi_Overage03", ["quantity"] = null, ["amount"] = "=1+2" }, sqliteOnly: true),
        W("SQL injection in occurred_at", Rejected, "occurred_at", new() { ["occurred_at"] = "2026-01-01'); DROP TABLE whop_usage; --" }, sqliteOnly: true),
        C("SQL injection in item_price_id", Rejected, "item_price_id", new() { ["item_price_id"] = "x' OR '1'='1" }),
        C("SQL injection in item_price_id without spaces", Rejected, "item_price_id", new() { ["item_price_id"] = "x';DROP/**/TABLE/**/chargebee_usage;--" }),
        C("CSV injection in subscription_id", Rejected, "subscription", new() { ["subscription_id"] = "=HYPERLINK(\"x\")" }),
        C("SQL injection in note", Billed, null, new() { ["note"] = "'); DROP TABLE chargebee_usage; --" }),
        C("CSV injection in note", Billed, null, new() { ["note"] = "=cmd|' /C calc'!A0" }),
        C("overlong note (never sent)", Billed, null, new() { ["note"] = new string('n', 5000) }, sqliteOnly: true),

        // Timestamps.
        W("space instead of T", Rejected, "occurred_at", new() { ["occurred_at"] = Good.Replace('T', ' ') }, sqliteOnly: true),
        W("offset instead of Z", Rejected, "occurred_at", new() { ["occurred_at"] = Good.TrimEnd('Z') + "+02:00" }, sqliteOnly: true),
        W("lower-case t and z", Rejected, "occurred_at", new() { ["occurred_at"] = Good.Replace('T', 't').Replace('Z', 'z') }, sqliteOnly: true),
        W("date only", Rejected, "occurred_at", new() { ["occurred_at"] = Good[..10] }, sqliteOnly: true),
        W("missing occurred_at", Rejected, "occurred_at", new() { ["occurred_at"] = null }),
        W("words", Rejected, "occurred_at", new() { ["occurred_at"] = "yesterday" }, sqliteOnly: true),
        W("30 February", Rejected, "occurred_at", new() { ["occurred_at"] = "2025-02-30T00:00:00Z" }, sqliteOnly: true),
        W("far past (before maxAge)", Rejected, "occurred_at", new() { ["occurred_at"] = "1999-01-01T00:00:00Z" }),
        W("unix seconds as INTEGER", Rejected, "occurred_at", new() { ["occurred_at"] = 1700000000L }, sqliteOnly: true),
        C("non-canonical", Rejected, "occurred_at", new() { ["occurred_at"] = Good.Replace("Z", ".1234Z", StringComparison.Ordinal) }, sqliteOnly: true),
        W("future (stays pending)", Pending, null, new() { ["occurred_at"] = UtcAgo(TimeSpan.FromDays(-3)) }),
        C("future (stays pending)", Pending, null, new() { ["occurred_at"] = UtcAgo(TimeSpan.FromDays(-3)) }),

        // Unknown at the provider: well-formed, refused there, rejected with the provider's reason.
        W("unknown membership", Rejected, "membership", new() { ["membership_id"] = "mem_Nobody99" }),
        W("unknown billing item", Rejected, "billing_item", new() { ["billing_item_id"] = "bi_Nope99" }),
        W("quantity for a variable item", Rejected, "amount", new() { ["billing_item_id"] = "bi_Overage03" }),
        C("unknown subscription", Rejected, "subscription", new() { ["subscription_id"] = "sub_Nobody" }),
        // Chargebee stores a usage dated after its subscription's cancellation and never bills it: the run asks first and holds it.
        C("cancelled subscription", Held, "cancelled", new() { ["subscription_id"] = "sub_Umbrella" }),
        C("item price not on the subscription", Rejected, "item_price", new() { ["subscription_id"] = "sub_Initech", ["item_price_id"] = "storage-USD-monthly" }),

        // A value stored as INTEGER by SQLite's type affinity is still the plain decimal '7': billed.
        W("INTEGER quantity", Billed, null, new() { ["quantity"] = 7L }, sqliteOnly: true),
    ];
}
