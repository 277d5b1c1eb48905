using System.Text.Json;

namespace UsageBatch.Tests.Emulator;

public sealed class WhopQueryTests
{
    private static async Task<string> CreateAsync(EmulatorHarness emu, string json)
    {
        using var response = await emu.WhopCreateAsync(json);
        Assert.Equal(201, (int)response.StatusCode);
        return (await EmulatorHarness.ReadJsonAsync(response)).GetProperty("id").GetString()!;
    }

    [Fact]
    public async Task Retrieve_KnownId_ReturnsSameObject()
    {
        await using var emu = await EmulatorHarness.StartAsync();
        using var created = await emu.WhopCreateAsync("""{"membership_id":"mem_Alpha01","billing_item_id":"bi_ApiCalls01","quantity":1.25}""");
        var createdBody = await created.Content.ReadAsStringAsync();
        var id = JsonDocument.Parse(createdBody).RootElement.GetProperty("id").GetString();

        using var response = await emu.WhopGetAsync($"app/billing_usages/{id}");

        Assert.Equal(200, (int)response.StatusCode);
        Assert.Equal(createdBody, await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Retrieve_UnknownId_Returns404()
    {
        await using var emu = await EmulatorHarness.StartAsync();
        using var response = await emu.WhopGetAsync("app/billing_usages/bu_Nope");
        Assert.Equal(404, (int)response.StatusCode);
    }

    [Fact]
    public async Task List_WithoutKey_Returns401()
    {
        await using var emu = await EmulatorHarness.StartAsync();
        using var response = await emu.WhopGetAsync("app/billing_usages", key: null);
        Assert.Equal(401, (int)response.StatusCode);
    }

    [Fact]
    public async Task List_120UsagesPer50_PagesThroughThreePagesNewestFirst()
    {
        await using var emu = await EmulatorHarness.StartAsync();
        for (var i = 1; i <= 120; i++)
        {
            await CreateAsync(emu, $$"""{"membership_id":"mem_Alpha01","billing_item_id":"bi_ApiCalls01","quantity":{{i}}}""");
            emu.Time.Advance(TimeSpan.FromSeconds(1));
        }

        var seen = new List<decimal>();
        int? page = 1;
        var pages = 0;
        while (page is not null)
        {
            using var response = await emu.WhopGetAsync($"app/billing_usages?membership_id=mem_Alpha01&per=50&page={page}");
            var body = await EmulatorHarness.ReadJsonAsync(response);
            var pagination = body.GetProperty("pagination");
            Assert.Equal(page, pagination.GetProperty("current_page").GetInt32());
            Assert.Equal(3, pagination.GetProperty("total_pages").GetInt32());
            Assert.Equal(120, pagination.GetProperty("total_count").GetInt32());
            Assert.Equal(page == 1 ? JsonValueKind.Null : JsonValueKind.Number, pagination.GetProperty("prev_page").ValueKind);
            seen.AddRange(body.GetProperty("data").EnumerateArray().Select(u => u.GetProperty("quantity").GetDecimal()));
            page = pagination.GetProperty("next_page").ValueKind == JsonValueKind.Null ? null : pagination.GetProperty("next_page").GetInt32();
            pages++;
        }

        Assert.Equal(3, pages);
        Assert.Equal(Enumerable.Range(1, 120).Reverse().Select(i => (decimal)i), seen);
    }

    [Fact]
    public async Task List_PerAbove50_IsClampedAndDefaultIs10()
    {
        await using var emu = await EmulatorHarness.StartAsync();
        for (var i = 0; i < 60; i++)
        {
            await CreateAsync(emu, """{"company_id":"biz_DemoCo1","billing_item_id":"bi_ApiCalls01","quantity":1}""");
        }

        using var big = await emu.WhopGetAsync("app/billing_usages?per=500");
        Assert.Equal(50, (await EmulatorHarness.ReadJsonAsync(big)).GetProperty("data").GetArrayLength());
        using var normal = await emu.WhopGetAsync("app/billing_usages");
        var body = await EmulatorHarness.ReadJsonAsync(normal);
        Assert.Equal(10, body.GetProperty("data").GetArrayLength());
        Assert.Equal(6, body.GetProperty("pagination").GetProperty("total_pages").GetInt32());
    }

    [Theory]
    [InlineData("page=0")]
    [InlineData("per=abc")]
    public async Task List_BadPaging_Returns400(string query)
    {
        await using var emu = await EmulatorHarness.StartAsync();
        using var response = await emu.WhopGetAsync("app/billing_usages?" + query);
        Assert.Equal(400, (int)response.StatusCode);
    }

    [Theory]
    [InlineData("company_id=biz_DemoCo1", 3)]
    [InlineData("company_id=biz_DemoCo2", 1)]
    [InlineData("membership_id=mem_Alpha01", 2)]
    [InlineData("billing_item_id=bi_Overage03", 1)]
    [InlineData("billing_item_identifier=api-calls", 3)]
    [InlineData("company_id=biz_DemoCo1&billing_item_identifier=api-calls", 2)]
    [InlineData("membership_id=mem_Bravo02&billing_item_id=bi_Overage03", 0)]
    [InlineData("product_id=prod_Nope", 0)]
    public async Task List_Filters_AreAnded(string query, int expected)
    {
        await using var emu = await EmulatorHarness.StartAsync();
        await CreateAsync(emu, """{"membership_id":"mem_Alpha01","billing_item_id":"bi_ApiCalls01","quantity":1}""");
        await CreateAsync(emu, """{"membership_id":"mem_Alpha01","billing_item_identifier":"overage-usd","amount":1}""");
        await CreateAsync(emu, """{"company_id":"biz_DemoCo1","billing_item_id":"bi_ApiCalls01","quantity":1}""");
        await CreateAsync(emu, """{"membership_id":"mem_Charlie03","billing_item_id":"bi_ApiCalls01","quantity":1}""");

        using var response = await emu.WhopGetAsync("app/billing_usages?" + query);

        var body = await EmulatorHarness.ReadJsonAsync(response);
        Assert.Equal(expected, body.GetProperty("pagination").GetProperty("total_count").GetInt32());
        Assert.Equal(expected, body.GetProperty("data").GetArrayLength());
    }
}
