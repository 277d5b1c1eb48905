using System.Text.Json;

namespace UsageBatch.Tests.Emulator;

public sealed class WhopCreateTests
{
    [Fact]
    public async Task Create_Membership_Returns201WithDocumentedShape()
    {
        await using var emu = await EmulatorHarness.StartAsync();
        using var response = await emu.WhopCreateAsync("""{"membership_id":"mem_Charlie03","billing_item_id":"bi_ApiCalls01","quantity":12}""");

        Assert.Equal(201, (int)response.StatusCode);
        var body = await EmulatorHarness.ReadJsonAsync(response);
        Assert.Matches("^bu_[A-Za-z0-9]{14}$", body.GetProperty("id").GetString());
        Assert.Equal(emu.Time.GetUtcNow().ToUnixTimeSeconds(), body.GetProperty("created_at").GetInt64());
        Assert.Equal("biz_DemoCo2", body.GetProperty("company_id").GetString());
        Assert.StartsWith("app_", body.GetProperty("app_id").GetString(), StringComparison.Ordinal);
        Assert.Equal("mem_Charlie03", body.GetProperty("membership_id").GetString());
        Assert.Equal("bi_ApiCalls01", body.GetProperty("billing_item_id").GetString());
        Assert.Equal(12m, body.GetProperty("quantity").GetDecimal());
        Assert.Equal(JsonValueKind.Null, body.GetProperty("amount").ValueKind);
        Assert.Matches("^pay_[A-Za-z0-9]{14}$", body.GetProperty("receipt_id").GetString());
    }

    [Fact]
    public async Task Create_CompanyAndIdentifier_ResolvesItemAndLeavesMembershipNull()
    {
        await using var emu = await EmulatorHarness.StartAsync();
        using var response = await emu.WhopCreateAsync("""{"company_id":"biz_DemoCo1","billing_item_identifier":"overage-usd","amount":2.50}""");

        Assert.Equal(201, (int)response.StatusCode);
        var body = await EmulatorHarness.ReadJsonAsync(response);
        Assert.Equal("biz_DemoCo1", body.GetProperty("company_id").GetString());
        Assert.Equal(JsonValueKind.Null, body.GetProperty("membership_id").ValueKind);
        Assert.Equal("bi_Overage03", body.GetProperty("billing_item_id").GetString());
        Assert.Equal(JsonValueKind.Null, body.GetProperty("quantity").ValueKind);
    }

    [Theory]
    [InlineData("0.3")]
    [InlineData("2.50")]
    [InlineData("0.1000000001")]
    [InlineData("12345678901234.5678")]
    public async Task Create_DecimalValue_EchoedExactly(string value)
    {
        await using var emu = await EmulatorHarness.StartAsync();
        using var response = await emu.WhopCreateAsync($$"""{"membership_id":"mem_Alpha01","billing_item_id":"bi_Overage03","amount":{{value}}}""");

        Assert.Equal(201, (int)response.StatusCode);
        var body = await EmulatorHarness.ReadJsonAsync(response);
        Assert.Equal(value, body.GetProperty("amount").GetRawText());
        var ledger = await emu.LedgerAsync();
        Assert.Equal(value, ledger.GetProperty("whop")[0].GetProperty("amount").GetRawText());
    }

    [Theory]
    [InlineData("""{"membership_id":"mem_Alpha01","quantity":1}""", "billing_item_id")]
    [InlineData("""{"membership_id":"mem_Alpha01","billing_item_id":"bi_ApiCalls01","billing_item_identifier":"api-calls","quantity":1}""", "billing_item_identifier")]
    [InlineData("""{"billing_item_id":"bi_ApiCalls01","quantity":1}""", "company_id")]
    [InlineData("""{"company_id":"biz_DemoCo1","membership_id":"mem_Alpha01","billing_item_id":"bi_ApiCalls01","quantity":1}""", "membership_id")]
    [InlineData("""{"membership_id":"mem_Alpha01","billing_item_id":"bi_ApiCalls01"}""", "quantity")]
    [InlineData("""{"membership_id":"mem_Alpha01","billing_item_id":"bi_ApiCalls01","amount":1}""", "quantity")]
    [InlineData("""{"membership_id":"mem_Alpha01","billing_item_id":"bi_ApiCalls01","quantity":1,"amount":1}""", "amount")]
    [InlineData("""{"membership_id":"mem_Alpha01","billing_item_id":"bi_Overage03","quantity":1}""", "amount")]
    [InlineData("""{"membership_id":"mem_Alpha01","billing_item_id":"bi_ApiCalls01","quantity":0}""", "quantity")]
    [InlineData("""{"membership_id":"mem_Alpha01","billing_item_id":"bi_ApiCalls01","quantity":-1}""", "quantity")]
    [InlineData("""{"membership_id":"mem_Alpha01","billing_item_id":"bi_ApiCalls01","quantity":"5"}""", "quantity")]
    [InlineData("""{"membership_id":"mem_Alpha01","billing_item_id":"bi_Overage03","amount":"2.5"}""", "amount")]
    [InlineData("""{"membership_id":"mem_Alpha01","billing_item_id":7,"quantity":1}""", "billing_item_id")]
    public async Task Create_InvalidBody_Returns400NamingTheField(string json, string field)
    {
        await using var emu = await EmulatorHarness.StartAsync();
        using var response = await emu.WhopCreateAsync(json);

        Assert.Equal(400, (int)response.StatusCode);
        var body = await EmulatorHarness.ReadJsonAsync(response);
        Assert.Contains(field, body.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Equal(0, (await emu.LedgerAsync()).GetProperty("whop").GetArrayLength());
    }

    [Theory]
    [InlineData("{not json")]
    [InlineData("[1,2]")]
    [InlineData("")]
    public async Task Create_MalformedJson_Returns400(string json)
    {
        await using var emu = await EmulatorHarness.StartAsync();
        using var response = await emu.WhopCreateAsync(json);

        Assert.Equal(400, (int)response.StatusCode);
        Assert.True((await EmulatorHarness.ReadJsonAsync(response)).TryGetProperty("message", out _));
    }

    [Theory]
    [InlineData("""{"membership_id":"mem_Nope","billing_item_id":"bi_ApiCalls01","quantity":1}""")]
    [InlineData("""{"company_id":"biz_Nope","billing_item_id":"bi_ApiCalls01","quantity":1}""")]
    [InlineData("""{"membership_id":"mem_Alpha01","billing_item_id":"bi_Nope","quantity":1}""")]
    [InlineData("""{"membership_id":"mem_Alpha01","billing_item_identifier":"nope","quantity":1}""")]
    public async Task Create_UnknownId_Returns404(string json)
    {
        await using var emu = await EmulatorHarness.StartAsync();
        using var response = await emu.WhopCreateAsync(json);

        Assert.Equal(404, (int)response.StatusCode);
        Assert.Equal("Not found", (await EmulatorHarness.ReadJsonAsync(response)).GetProperty("message").GetString());
    }

    [Theory]
    [InlineData(null)]
    [InlineData("wrong_key")]
    public async Task Create_MissingOrWrongKey_Returns401(string? key)
    {
        await using var emu = await EmulatorHarness.StartAsync();
        using var response = await emu.WhopCreateAsync("""{"membership_id":"mem_Alpha01","billing_item_id":"bi_ApiCalls01","quantity":1}""", key);

        Assert.Equal(401, (int)response.StatusCode);
        Assert.Equal("Unauthorized", (await EmulatorHarness.ReadJsonAsync(response)).GetProperty("message").GetString());
        Assert.Equal(0, (await emu.LedgerAsync()).GetProperty("whop").GetArrayLength());
    }

    [Fact]
    public async Task Create_ReceiptOnCreateOff_ReturnsNullReceipt()
    {
        await using var emu = await EmulatorHarness.StartAsync(f => f.Settings.Whop.ReceiptOnCreate = false);
        using var response = await emu.WhopCreateAsync("""{"membership_id":"mem_Alpha01","billing_item_id":"bi_ApiCalls01","quantity":1}""");

        Assert.Equal(201, (int)response.StatusCode);
        Assert.Equal(JsonValueKind.Null, (await EmulatorHarness.ReadJsonAsync(response)).GetProperty("receipt_id").ValueKind);
    }
}
