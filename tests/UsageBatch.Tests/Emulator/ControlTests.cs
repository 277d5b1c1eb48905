using System.Net.Http.Json;
using System.Text.Json;

namespace UsageBatch.Tests.Emulator;

public sealed class ControlTests
{
    private const string WhopUsage = """{"membership_id":"mem_Alpha01","billing_item_id":"bi_ApiCalls01","quantity":1}""";

    [Fact]
    public async Task Invoice_GivesUninvoicedUsagesOneInvoiceId()
    {
        await using var emu = await EmulatorHarness.StartAsync();
        using (await emu.ChargebeeCreateAsync("sub_Acme", EmulatorHarness.UsageForm(id: "a")))
        using (await emu.ChargebeeCreateAsync("sub_Acme", EmulatorHarness.UsageForm(id: "b", usageDate: 1_768_435_100)))
        using (await emu.ChargebeeCreateAsync("sub_Globex", EmulatorHarness.UsageForm(id: "c")))
        {
        }

        using var response = await emu.Http.PostAsJsonAsync("_emulator/chargebee/invoice", new { subscriptionId = "sub_Acme" });

        Assert.Equal(200, (int)response.StatusCode);
        var body = await EmulatorHarness.ReadJsonAsync(response);
        var invoiceId = body.GetProperty("invoice_id").GetString();
        Assert.StartsWith("inv_", invoiceId, StringComparison.Ordinal);
        Assert.Equal(2, body.GetProperty("usages").GetArrayLength());
        using var retrieved = await emu.ChargebeeGetAsync("subscriptions/sub_Acme/usages?id=a");
        var usage = (await EmulatorHarness.ReadJsonAsync(retrieved)).GetProperty("usage");
        Assert.Equal(invoiceId, usage.GetProperty("invoice_id").GetString());
        Assert.StartsWith("li_", usage.GetProperty("line_item_id").GetString(), StringComparison.Ordinal);
        using var globex = await emu.ChargebeeGetAsync("subscriptions/sub_Globex/usages?id=c");
        Assert.False((await EmulatorHarness.ReadJsonAsync(globex)).GetProperty("usage").TryGetProperty("invoice_id", out _));

        using var again = await emu.Http.PostAsJsonAsync("_emulator/chargebee/invoice", new { subscriptionId = "sub_Acme" });
        Assert.Equal(0, (await EmulatorHarness.ReadJsonAsync(again)).GetProperty("usages").GetArrayLength());
    }

    [Fact]
    public async Task Invoice_UnknownSubscription_Returns404()
    {
        await using var emu = await EmulatorHarness.StartAsync();
        using var response = await emu.Http.PostAsJsonAsync("_emulator/chargebee/invoice", new { subscriptionId = "sub_Nope" });
        Assert.Equal(404, (int)response.StatusCode);
    }

    [Fact]
    public async Task Charge_GivesReceiptToMembershipUsagesWithoutOne()
    {
        await using var emu = await EmulatorHarness.StartAsync(f => f.Settings.Whop.ReceiptOnCreate = false);
        using (await emu.WhopCreateAsync(WhopUsage))
        using (await emu.WhopCreateAsync("""{"membership_id":"mem_Bravo02","billing_item_id":"bi_ApiCalls01","quantity":1}"""))
        {
        }

        using var response = await emu.Http.PostAsJsonAsync("_emulator/whop/charge", new { membershipId = "mem_Alpha01" });

        Assert.Equal(200, (int)response.StatusCode);
        var body = await EmulatorHarness.ReadJsonAsync(response);
        Assert.StartsWith("pay_", body.GetProperty("receipt_id").GetString(), StringComparison.Ordinal);
        Assert.Equal(1, body.GetProperty("usages").GetArrayLength());
        var ledger = (await emu.LedgerAsync()).GetProperty("whop");
        Assert.Equal(body.GetProperty("receipt_id").GetString(), ledger[0].GetProperty("receipt_id").GetString());
        Assert.Equal(JsonValueKind.Null, ledger[1].GetProperty("receipt_id").ValueKind);
    }

    [Fact]
    public async Task Charge_Company_GivesReceiptOnlyToCompanyLevelUsages()
    {
        await using var emu = await EmulatorHarness.StartAsync(f => f.Settings.Whop.ReceiptOnCreate = false);
        using (await emu.WhopCreateAsync(WhopUsage))
        using (await emu.WhopCreateAsync("""{"company_id":"biz_DemoCo1","billing_item_id":"bi_ApiCalls01","quantity":1}"""))
        {
        }

        using var response = await emu.Http.PostAsJsonAsync("_emulator/whop/charge", new { companyId = "biz_DemoCo1" });

        Assert.Equal(200, (int)response.StatusCode);
        var charged = (await EmulatorHarness.ReadJsonAsync(response)).GetProperty("usages");
        Assert.Equal(1, charged.GetArrayLength());
        Assert.Equal(JsonValueKind.Null, charged[0].GetProperty("membership_id").ValueKind);
    }

    [Fact]
    public async Task Charge_UnknownMembership_Returns404()
    {
        await using var emu = await EmulatorHarness.StartAsync();
        using var response = await emu.Http.PostAsJsonAsync("_emulator/whop/charge", new { membershipId = "mem_Nope" });
        Assert.Equal(404, (int)response.StatusCode);
    }

    [Fact]
    public async Task Reset_ClearsUsagesFaultsLimitsAndIdempotencyButKeepsFixtures()
    {
        await using var emu = await EmulatorHarness.StartAsync(f =>
        {
            f.Settings.Whop.RequestsPerWindow = 1;
            f.Settings.Whop.Lockout = TimeSpan.FromHours(1);
        });
        using (await emu.WhopCreateAsync(WhopUsage))
        using (var limited = await emu.WhopCreateAsync(WhopUsage))
        {
            Assert.Equal(429, (int)limited.StatusCode);
        }

        var keyed = emu.ChargebeeRequest(HttpMethod.Post, "subscriptions/sub_Acme/usages", EmulatorHarness.UsageForm(id: "u-1"));
        keyed.Headers.Add("chargebee-idempotency-key", "k");
        using (await emu.Http.SendAsync(keyed))
        {
        }

        await emu.AddFaultAsync("""{"pathPrefix":"/api/v2","action":"status","status":503}""");

        using var reset = await emu.Http.PostAsync("_emulator/reset", null);

        Assert.Equal(200, (int)reset.StatusCode);
        var ledger = await emu.LedgerAsync();
        Assert.Equal(0, ledger.GetProperty("whop").GetArrayLength());
        Assert.Equal(0, ledger.GetProperty("chargebee").GetArrayLength());
        using var whop = await emu.WhopCreateAsync(WhopUsage);
        Assert.Equal(201, (int)whop.StatusCode);
        var again = emu.ChargebeeRequest(HttpMethod.Post, "subscriptions/sub_Acme/usages", EmulatorHarness.UsageForm(id: "u-1"));
        again.Headers.Add("chargebee-idempotency-key", "k");
        using var chargebee = await emu.Http.SendAsync(again);
        Assert.Equal(200, (int)chargebee.StatusCode);
        Assert.False(chargebee.Headers.Contains("chargebee-idempotency-replayed"));
    }

    [Fact]
    public async Task Fixtures_ReplacesFixtureSetAndResets()
    {
        await using var emu = await EmulatorHarness.StartAsync();
        using (await emu.WhopCreateAsync(WhopUsage))
        {
        }

        const string fixtures = """
            {
              "settings": { "chargebee": { "maxUsagesPerSubscription": 1, "quantityDecimals": 4 } },
              "whop": { "apiKeys": ["other_key"], "companies": ["biz_X"], "memberships": [], "billingItems": [] },
              "chargebee": { "apiKeys": ["cb_test_key"],
                             "subscriptions": [{ "id": "sub_New", "itemPrices": ["p1"], "activeFrom": 0, "activeTo": null }] },
            }
            """;
        using var replaced = await emu.Http.PostAsync("_emulator/fixtures", EmulatorHarness.JsonBody(fixtures));

        Assert.Equal(200, (int)replaced.StatusCode);
        Assert.Equal(0, (await emu.LedgerAsync()).GetProperty("whop").GetArrayLength());
        using var oldKey = await emu.WhopGetAsync("app/billing_usages");
        Assert.Equal(401, (int)oldKey.StatusCode);
        using var newKey = await emu.WhopGetAsync("app/billing_usages", key: "other_key");
        Assert.Equal(200, (int)newKey.StatusCode);
        using var oldSub = await emu.ChargebeeCreateAsync("sub_Acme", EmulatorHarness.UsageForm());
        Assert.Equal(404, (int)oldSub.StatusCode);
        using var created = await emu.ChargebeeCreateAsync("sub_New", EmulatorHarness.UsageForm(itemPrice: "p1", quantity: "0.1234"));
        Assert.Equal(200, (int)created.StatusCode);
        using var capped = await emu.ChargebeeCreateAsync("sub_New", EmulatorHarness.UsageForm(itemPrice: "p1", usageDate: 5));
        await ChargebeeAssert.ErrorAsync(capped, 400, "resource_limit_exceeded", null);
    }

    [Fact]
    public async Task Fixtures_InvalidJson_Returns400AndKeepsOldSet()
    {
        await using var emu = await EmulatorHarness.StartAsync();
        using var response = await emu.Http.PostAsync("_emulator/fixtures", EmulatorHarness.JsonBody("{ nope"));
        Assert.Equal(400, (int)response.StatusCode);
        using var ok = await emu.WhopGetAsync("app/billing_usages");
        Assert.Equal(200, (int)ok.StatusCode);
    }

    [Fact]
    public async Task InsertUsage_BehindTheJobsBack_IsListedWithoutAuth()
    {
        await using var emu = await EmulatorHarness.StartAsync();
        var form = EmulatorHarness.UsageForm(id: "manual-1");
        form["subscription_id"] = "sub_Globex";

        using var response = await emu.Http.PostAsync("_emulator/chargebee/usages", new FormUrlEncodedContent(form));

        Assert.Equal(200, (int)response.StatusCode);
        using var list = await emu.ChargebeeGetAsync("usages?subscription_id[is]=sub_Globex");
        var usage = (await EmulatorHarness.ReadJsonAsync(list)).GetProperty("list")[0].GetProperty("usage");
        Assert.Equal("manual-1", usage.GetProperty("id").GetString());
        Assert.Equal("admin_console", usage.GetProperty("source").GetString());
        using var clash = await emu.ChargebeeCreateAsync("sub_Globex", EmulatorHarness.UsageForm(id: "job-1"));
        await ChargebeeAssert.ErrorAsync(clash, 400, "invalid_request", "usage_date");
    }
}
