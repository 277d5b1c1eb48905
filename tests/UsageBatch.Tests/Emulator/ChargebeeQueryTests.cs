using System.Net.Http.Json;
using System.Text.Json;

namespace UsageBatch.Tests.Emulator;

public sealed class ChargebeeQueryTests
{
    private static async Task CreateAsync(EmulatorHarness emu, string subscription, string id, long usageDate, string itemPrice = "api-calls-USD-monthly")
    {
        using var response = await emu.ChargebeeCreateAsync(subscription, EmulatorHarness.UsageForm(id: id, itemPrice: itemPrice, usageDate: usageDate));
        Assert.Equal(200, (int)response.StatusCode);
    }

    private static async Task<List<string>> IdsAsync(HttpResponseMessage response)
    {
        Assert.Equal(200, (int)response.StatusCode);
        var body = await EmulatorHarness.ReadJsonAsync(response);
        return body.GetProperty("list").EnumerateArray().Select(e => e.GetProperty("usage").GetProperty("id").GetString()!).ToList();
    }

    [Fact]
    public async Task Retrieve_KnownId_ReturnsUsage()
    {
        await using var emu = await EmulatorHarness.StartAsync();
        await CreateAsync(emu, "sub_Acme", "u-1", 1_768_435_200);

        using var response = await emu.ChargebeeGetAsync("subscriptions/sub_Acme/usages?id=u-1");

        Assert.Equal(200, (int)response.StatusCode);
        Assert.Equal("u-1", (await EmulatorHarness.ReadJsonAsync(response)).GetProperty("usage").GetProperty("id").GetString());
    }

    [Theory]
    [InlineData("subscriptions/sub_Acme/usages?id=u-nope", 404, "resource_not_found")]
    [InlineData("subscriptions/sub_Globex/usages?id=u-1", 404, "resource_not_found")]
    [InlineData("subscriptions/sub_Nope/usages?id=u-1", 404, "resource_not_found")]
    [InlineData("subscriptions/sub_Acme/usages", 400, "param_wrong_value")]
    public async Task Retrieve_UnknownOrMissing_ReturnsError(string path, int status, string code)
    {
        await using var emu = await EmulatorHarness.StartAsync();
        await CreateAsync(emu, "sub_Acme", "u-1", 1_768_435_200);

        using var response = await emu.ChargebeeGetAsync(path);

        await ChargebeeAssert.ErrorAsync(response, status, code, status == 400 ? "id" : null);
    }

    [Fact]
    public async Task Retrieve_WrongKey_Returns401()
    {
        await using var emu = await EmulatorHarness.StartAsync();
        using var response = await emu.ChargebeeGetAsync("subscriptions/sub_Acme/usages?id=u-1", key: "bad");
        await ChargebeeAssert.ErrorAsync(response, 401, "api_authentication_failed", null);
    }

    [Fact]
    public async Task Delete_Uninvoiced_RemovesAndReturnsUsage()
    {
        await using var emu = await EmulatorHarness.StartAsync();
        await CreateAsync(emu, "sub_Acme", "u-1", 1_768_435_200);

        using var response = await emu.Http.SendAsync(emu.ChargebeeRequest(HttpMethod.Post, "subscriptions/sub_Acme/delete_usage", new Dictionary<string, string> { ["id"] = "u-1" }));

        Assert.Equal(200, (int)response.StatusCode);
        Assert.Equal("u-1", (await EmulatorHarness.ReadJsonAsync(response)).GetProperty("usage").GetProperty("id").GetString());
        Assert.Equal(0, (await emu.LedgerAsync()).GetProperty("chargebee").GetArrayLength());
        using var again = await emu.Http.SendAsync(emu.ChargebeeRequest(HttpMethod.Post, "subscriptions/sub_Acme/delete_usage", new Dictionary<string, string> { ["id"] = "u-1" }));
        await ChargebeeAssert.ErrorAsync(again, 404, "resource_not_found", null);
        // The date is free again: delete and re-add is Chargebee's documented correction.
        await CreateAsync(emu, "sub_Acme", "u-2", 1_768_435_200);
    }

    [Fact]
    public async Task Delete_Invoiced_Returns400InvalidRequest()
    {
        await using var emu = await EmulatorHarness.StartAsync();
        await CreateAsync(emu, "sub_Acme", "u-1", 1_768_435_200);
        using var invoice = await emu.Http.PostAsJsonAsync("_emulator/chargebee/invoice", new { subscriptionId = "sub_Acme" });
        Assert.Equal(200, (int)invoice.StatusCode);

        using var response = await emu.Http.SendAsync(emu.ChargebeeRequest(HttpMethod.Post, "subscriptions/sub_Acme/delete_usage", new Dictionary<string, string> { ["id"] = "u-1" }));

        await ChargebeeAssert.ErrorAsync(response, 400, "invalid_request", "id");
        Assert.Equal(1, (await emu.LedgerAsync()).GetProperty("chargebee").GetArrayLength());
    }

    [Fact]
    public async Task List_DefaultOrder_IsCreatedAtAscendingAndPagesWithNextOffset()
    {
        await using var emu = await EmulatorHarness.StartAsync();
        for (var i = 0; i < 25; i++)
        {
            await CreateAsync(emu, "sub_Acme", $"u-{i:D2}", 1_768_435_200 - i);
            emu.Time.Advance(TimeSpan.FromSeconds(1));
        }

        var ids = new List<string>();
        string? offset = null;
        var pages = 0;
        do
        {
            var query = "usages?limit=10" + (offset is null ? "" : "&offset=" + Uri.EscapeDataString(offset));
            using var response = await emu.ChargebeeGetAsync(query);
            var body = await EmulatorHarness.ReadJsonAsync(response);
            ids.AddRange(body.GetProperty("list").EnumerateArray().Select(e => e.GetProperty("usage").GetProperty("id").GetString()!));
            offset = body.TryGetProperty("next_offset", out var next) ? next.GetString() : null;
            pages++;
        }
        while (offset is not null);

        Assert.Equal(3, pages);
        Assert.Equal(Enumerable.Range(0, 25).Select(i => $"u-{i:D2}"), ids);
    }

    [Fact]
    public async Task List_DefaultLimit_Is10()
    {
        await using var emu = await EmulatorHarness.StartAsync();
        for (var i = 0; i < 12; i++)
        {
            await CreateAsync(emu, "sub_Acme", $"u-{i}", 1_768_435_200 + i);
        }

        using var response = await emu.ChargebeeGetAsync("usages");
        Assert.Equal(10, (await IdsAsync(response)).Count);
    }

    [Theory]
    [InlineData("limit=0", "limit")]
    [InlineData("limit=101", "limit")]
    [InlineData("limit=x", "limit")]
    [InlineData("offset=garbage!", "offset")]
    [InlineData("invoice_id[is_present]=maybe", "invoice_id[is_present]")]
    [InlineData("usage_date[between]=[1]", "usage_date[between]")]
    [InlineData("usage_date[after]=yesterday", "usage_date[after]")]
    [InlineData("sort_by[asc]=created_at", "sort_by[asc]")]
    public async Task List_BadParameter_Returns400ParamWrongValue(string query, string param)
    {
        await using var emu = await EmulatorHarness.StartAsync();
        using var response = await emu.ChargebeeGetAsync("usages?" + query);
        await ChargebeeAssert.ErrorAsync(response, 400, "param_wrong_value", param);
    }

    [Theory]
    [InlineData("id[is]=a", "a")]
    [InlineData("subscription_id[is]=sub_Globex", "d")]
    [InlineData("item_price_id[is]=storage-USD-monthly", "c")]
    [InlineData("invoice_id[is_present]=true", "a,b,c")]
    [InlineData("invoice_id[is_present]=false", "d")]
    [InlineData("usage_date[after]=100", "b,c")]
    [InlineData("usage_date[before]=100", "d")]
    [InlineData("usage_date[on]=100", "a")]
    [InlineData("usage_date[between]=[100,200]", "a,b")]
    [InlineData("usage_date[between]=%5B%22100%22%2C%20%22200%22%5D", "a,b")]
    [InlineData("subscription_id[is]=sub_Acme&usage_date[after]=150", "b,c")]
    [InlineData("sort_by[desc]=usage_date", "c,b,a,d")]
    [InlineData("sort_by[asc]=usage_date", "d,a,b,c")]
    public async Task List_Filters_SelectAndSort(string query, string expected)
    {
        await using var emu = await EmulatorHarness.StartAsync(f => f.Chargebee.Subscriptions.ToList().ForEach(s => s.ActiveFrom = 0));
        await CreateAsync(emu, "sub_Acme", "a", 100);
        await CreateAsync(emu, "sub_Acme", "b", 200);
        await CreateAsync(emu, "sub_Acme", "c", 300, "storage-USD-monthly");
        using (var invoice = await emu.Http.PostAsJsonAsync("_emulator/chargebee/invoice", new { subscriptionId = "sub_Acme" }))
        {
            Assert.Equal(200, (int)invoice.StatusCode);
        }

        await CreateAsync(emu, "sub_Globex", "d", 50);

        using var response = await emu.ChargebeeGetAsync("usages?" + query);

        Assert.Equal(expected, string.Join(',', await IdsAsync(response)));
    }

    [Fact]
    public async Task List_SortByUpdatedAtDesc_PutsRecentlyInvoicedFirst()
    {
        await using var emu = await EmulatorHarness.StartAsync();
        await CreateAsync(emu, "sub_Acme", "a", 1_768_435_200);
        await CreateAsync(emu, "sub_Globex", "b", 1_768_435_200);
        emu.Time.Advance(TimeSpan.FromMinutes(1));
        using (var invoice = await emu.Http.PostAsJsonAsync("_emulator/chargebee/invoice", new { subscriptionId = "sub_Acme" }))
        {
            Assert.Equal(200, (int)invoice.StatusCode);
        }

        using var response = await emu.ChargebeeGetAsync("usages?sort_by[desc]=updated_at");

        Assert.Equal(["a", "b"], await IdsAsync(response));
        Assert.Equal(JsonValueKind.Array, (await emu.LedgerAsync()).GetProperty("chargebee").ValueKind);
    }
}
