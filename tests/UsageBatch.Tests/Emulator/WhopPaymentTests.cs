using System.Net.Http.Json;
using System.Text.Json;

namespace UsageBatch.Tests.Emulator;

public sealed class WhopPaymentTests
{
    private const string AlphaCalls = """{"membership_id":"mem_Alpha01","billing_item_id":"bi_ApiCalls01","quantity":4}""";

    internal static async Task<string> CreateAsync(EmulatorHarness emu, string json)
    {
        using var response = await emu.WhopCreateAsync(json);
        Assert.Equal(201, (int)response.StatusCode);
        return (await EmulatorHarness.ReadJsonAsync(response)).GetProperty("id").GetString()!;
    }

    internal static async Task<JsonElement> GetAsync(EmulatorHarness emu, string pathAndQuery)
    {
        using var response = await emu.WhopGetAsync(pathAndQuery);
        Assert.Equal(200, (int)response.StatusCode);
        return await EmulatorHarness.ReadJsonAsync(response);
    }

    private static async Task<JsonElement> ChargeAsync(EmulatorHarness emu, object body)
    {
        using var response = await emu.Http.PostAsJsonAsync("_emulator/whop/charge", body);
        Assert.Equal(200, (int)response.StatusCode);
        return await EmulatorHarness.ReadJsonAsync(response);
    }

    [Fact]
    public async Task Charge_CreatesPaidPaymentForExactlyTheChargedUsages()
    {
        await using var emu = await EmulatorHarness.StartAsync(f =>
        {
            f.Settings.Whop.ReceiptOnCreate = false;
            f.Whop.BillingItems[0].UnitPrice = 0.25m;
            f.Whop.BillingItems[0].ProductId = "prod_Metered01";
            f.Whop.BillingItems[2].ProductId = "prod_Metered01";
        });
        var calls = await CreateAsync(emu, AlphaCalls);
        var overage = await CreateAsync(emu, """{"membership_id":"mem_Alpha01","billing_item_id":"bi_Overage03","amount":2.50}""");
        var bravo = await CreateAsync(emu, """{"membership_id":"mem_Bravo02","billing_item_id":"bi_ApiCalls01","quantity":1}""");
        emu.Time.Advance(TimeSpan.FromMinutes(5));

        var charged = await ChargeAsync(emu, new { membershipId = "mem_Alpha01" });

        var paymentId = charged.GetProperty("payment_id").GetString()!;
        Assert.Matches("^pay_[A-Za-z0-9]{14}$", paymentId);
        Assert.Equal(paymentId, charged.GetProperty("receipt_id").GetString());
        var payment = await GetAsync(emu, $"app/payments/{paymentId}");
        Assert.Equal("paid", payment.GetProperty("status").GetString());
        Assert.Equal(
            new[] { calls, overage }.Order(StringComparer.Ordinal),
            payment.GetProperty("billing_usage_ids").EnumerateArray().Select(i => i.GetString()!).Order(StringComparer.Ordinal));
        // 4 calls at 0.25 plus the variable item's own 2.50.
        Assert.Equal(3.50m, payment.GetProperty("final_amount").GetDecimal());
        Assert.Equal(3.50m, payment.GetProperty("subtotal").GetDecimal());
        Assert.Equal(0m, payment.GetProperty("refunded_amount").GetDecimal());
        Assert.Equal(0, payment.GetProperty("payments_failed").GetInt32());
        Assert.Equal("usd", payment.GetProperty("currency").GetString());
        Assert.Equal("mem_Alpha01", payment.GetProperty("membership_id").GetString());
        Assert.Equal("biz_DemoCo1", payment.GetProperty("company_id").GetString());
        Assert.Equal("prod_Metered01", payment.GetProperty("product_id").GetString());
        var now = emu.Time.GetUtcNow().ToUnixTimeSeconds();
        Assert.Equal(now, payment.GetProperty("created_at").GetInt64());
        Assert.Equal(now, payment.GetProperty("paid_at").GetInt64());
        Assert.Equal(JsonValueKind.Null, payment.GetProperty("refunded_at").ValueKind);
        Assert.Equal(JsonValueKind.Null, payment.GetProperty("line_item_id").ValueKind);
        Assert.True(payment.TryGetProperty("card_last_4", out _));

        // The tie-out both ways: each charged usage's receipt_id is the payment, the other customer's has none.
        foreach (var id in new[] { calls, overage })
        {
            Assert.Equal(paymentId, (await GetAsync(emu, $"app/billing_usages/{id}")).GetProperty("receipt_id").GetString());
        }

        Assert.Equal(JsonValueKind.Null, (await GetAsync(emu, $"app/billing_usages/{bravo}")).GetProperty("receipt_id").ValueKind);
    }

    [Fact]
    public async Task Retrieve_Payment_HasExactlyTheDocumentedFields()
    {
        await using var emu = await EmulatorHarness.StartAsync();
        using var created = await emu.WhopCreateAsync(AlphaCalls);
        var receipt = (await EmulatorHarness.ReadJsonAsync(created)).GetProperty("receipt_id").GetString();

        var payment = await GetAsync(emu, $"app/payments/{receipt}");

        string[] documented =
        [
            "id", "membership_id", "product_id", "user_id", "plan_id", "company_id", "line_item_id", "created_at", "paid_at",
            "refunded_at", "last_payment_attempt", "next_payment_attempt", "status", "subtotal", "final_amount",
            "refunded_amount", "payments_failed", "currency", "card_brand", "card_last_4", "billing_usage_ids",
        ];
        Assert.Equal(documented, payment.EnumerateObject().Select(p => p.Name));
    }

    [Fact]
    public async Task Charge_StructuredItemWithoutUnitPrice_CostsOnePerUnit()
    {
        await using var emu = await EmulatorHarness.StartAsync(f => f.Settings.Whop.ReceiptOnCreate = false);
        await CreateAsync(emu, """{"company_id":"biz_DemoCo2","billing_item_id":"bi_StorageGb02","quantity":12.5}""");

        var charged = await ChargeAsync(emu, new { companyId = "biz_DemoCo2" });

        var payment = await GetAsync(emu, $"app/payments/{charged.GetProperty("payment_id").GetString()}");
        Assert.Equal(12.5m, payment.GetProperty("final_amount").GetDecimal());
        Assert.Equal(JsonValueKind.Null, payment.GetProperty("membership_id").ValueKind);
        Assert.Equal("biz_DemoCo2", payment.GetProperty("company_id").GetString());
        Assert.Equal(JsonValueKind.Null, payment.GetProperty("product_id").ValueKind);
    }

    [Fact]
    public async Task Charge_NothingLeftToCharge_MakesNoPayment()
    {
        await using var emu = await EmulatorHarness.StartAsync(f => f.Settings.Whop.ReceiptOnCreate = false);

        var charged = await ChargeAsync(emu, new { membershipId = "mem_Alpha01" });

        Assert.Equal(JsonValueKind.Null, charged.GetProperty("payment_id").ValueKind);
        Assert.Equal(0, charged.GetProperty("usages").GetArrayLength());
        Assert.Equal(0, (await GetAsync(emu, "app/payments")).GetProperty("pagination").GetProperty("total_count").GetInt32());
    }

    [Fact]
    public async Task Create_WithReceiptOnCreate_ReceiptIsAPaymentOfThatUsage()
    {
        await using var emu = await EmulatorHarness.StartAsync();
        using var created = await emu.WhopCreateAsync(AlphaCalls);
        var usage = await EmulatorHarness.ReadJsonAsync(created);

        var payment = await GetAsync(emu, $"app/payments/{usage.GetProperty("receipt_id").GetString()}");

        Assert.Equal(usage.GetProperty("id").GetString(), Assert.Single(payment.GetProperty("billing_usage_ids").EnumerateArray().ToList()).GetString());
        Assert.Equal(4m, payment.GetProperty("final_amount").GetDecimal());
        Assert.Equal("paid", payment.GetProperty("status").GetString());
    }

    [Fact]
    public async Task List_PagesNewestFirstAndFiltersByCompany()
    {
        await using var emu = await EmulatorHarness.StartAsync();
        for (var i = 0; i < 7; i++)
        {
            await CreateAsync(emu, AlphaCalls);
            emu.Time.Advance(TimeSpan.FromSeconds(1));
        }

        await CreateAsync(emu, """{"membership_id":"mem_Charlie03","billing_item_id":"bi_ApiCalls01","quantity":1}""");
        await CreateAsync(emu, """{"company_id":"biz_DemoCo2","billing_item_id":"bi_ApiCalls01","quantity":1}""");

        int? page = 1;
        var seen = new List<long>();
        while (page is not null)
        {
            var body = await GetAsync(emu, $"app/payments?company_id=biz_DemoCo1&per=3&page={page}");
            var pagination = body.GetProperty("pagination");
            Assert.Equal(page, pagination.GetProperty("current_page").GetInt32());
            Assert.Equal(3, pagination.GetProperty("total_pages").GetInt32());
            Assert.Equal(7, pagination.GetProperty("total_count").GetInt32());
            Assert.Equal(page == 1 ? JsonValueKind.Null : JsonValueKind.Number, pagination.GetProperty("prev_page").ValueKind);
            Assert.All(body.GetProperty("data").EnumerateArray(), p => Assert.Equal("biz_DemoCo1", p.GetProperty("company_id").GetString()));
            seen.AddRange(body.GetProperty("data").EnumerateArray().Select(p => p.GetProperty("created_at").GetInt64()));
            page = pagination.GetProperty("next_page").ValueKind == JsonValueKind.Null ? null : pagination.GetProperty("next_page").GetInt32();
        }

        Assert.Equal(7, seen.Count);
        Assert.Equal(seen.OrderDescending(), seen);
        var other = await GetAsync(emu, "app/payments?company_id=biz_DemoCo2");
        Assert.Equal(2, other.GetProperty("data").GetArrayLength());
        Assert.Equal(9, (await GetAsync(emu, "app/payments?in_app_payments=true")).GetProperty("pagination").GetProperty("total_count").GetInt32());
    }

    [Fact]
    public async Task List_PerAbove50_IsClampedAndDefaultIs10()
    {
        await using var emu = await EmulatorHarness.StartAsync();
        for (var i = 0; i < 55; i++)
        {
            await CreateAsync(emu, AlphaCalls);
        }

        Assert.Equal(50, (await GetAsync(emu, "app/payments?per=500")).GetProperty("data").GetArrayLength());
        var normal = await GetAsync(emu, "app/payments");
        Assert.Equal(10, normal.GetProperty("data").GetArrayLength());
        Assert.Equal(6, normal.GetProperty("pagination").GetProperty("total_pages").GetInt32());
    }

    [Theory]
    [InlineData("product_id=prod_Metered01", 1)]
    [InlineData("product_id=prod_Nope", 0)]
    [InlineData("company_id=biz_DemoCo1&product_id=prod_Metered01", 1)]
    [InlineData("company_id=biz_DemoCo2&product_id=prod_Metered01", 0)]
    public async Task List_ProductFilter_IsAndedWithCompany(string query, int expected)
    {
        await using var emu = await EmulatorHarness.StartAsync(f => f.Whop.BillingItems[2].ProductId = "prod_Metered01");
        await CreateAsync(emu, """{"membership_id":"mem_Alpha01","billing_item_id":"bi_Overage03","amount":1}""");
        await CreateAsync(emu, AlphaCalls);

        Assert.Equal(expected, (await GetAsync(emu, "app/payments?" + query)).GetProperty("pagination").GetProperty("total_count").GetInt32());
    }

    [Theory]
    [InlineData("page=0")]
    [InlineData("per=abc")]
    [InlineData("in_app_payments=maybe")]
    public async Task List_BadQuery_Returns400(string query)
    {
        await using var emu = await EmulatorHarness.StartAsync();
        using var response = await emu.WhopGetAsync("app/payments?" + query);
        Assert.Equal(400, (int)response.StatusCode);
    }

    [Fact]
    public async Task Retrieve_UnknownId_Returns404WithWhopMessage()
    {
        await using var emu = await EmulatorHarness.StartAsync();
        using var response = await emu.WhopGetAsync("app/payments/pay_Nope");

        Assert.Equal(404, (int)response.StatusCode);
        Assert.Equal("Not found", (await EmulatorHarness.ReadJsonAsync(response)).GetProperty("message").GetString());
    }

    [Theory]
    [InlineData("app/payments", null)]
    [InlineData("app/payments", "wrong_key")]
    [InlineData("app/payments/pay_Any", null)]
    public async Task ListOrRetrieve_MissingOrWrongKey_Returns401(string path, string? key)
    {
        await using var emu = await EmulatorHarness.StartAsync();
        using var response = await emu.WhopGetAsync(path, key);

        Assert.Equal(401, (int)response.StatusCode);
        Assert.Equal("Unauthorized", (await EmulatorHarness.ReadJsonAsync(response)).GetProperty("message").GetString());
    }
}
