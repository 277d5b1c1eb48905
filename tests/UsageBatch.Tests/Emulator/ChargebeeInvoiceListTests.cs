using System.Globalization;
using UsageBatch.Emulator;
using static UsageBatch.Tests.Emulator.TermHarness;

namespace UsageBatch.Tests.Emulator;

/// <summary>GET /invoices: bracket filters, sorting and offset paging, with Chargebee's query syntax.</summary>
public sealed class ChargebeeInvoiceListTests
{
    private static readonly long Jan2 = Unix(2026, 1, 2);

    /// <summary>sub_Daily renews every day from January 1st: on January 15th it has 14 invoices.</summary>
    private static Task<EmulatorHarness> DailyAsync() => EmulatorHarness.StartAsync(f =>
    {
        f.Chargebee.Subscriptions.Add(new ChargebeeSubscription
        {
            Id = "sub_Daily", ItemPrices = [ApiCalls], CurrentTermStart = Jan1, BillingPeriodUnit = "day", CustomerId = "cust_Daily",
        });
        f.Chargebee.Subscriptions.Add(Metered(pendingInvoices: true));
    });

    private static string Days(IEnumerable<System.Text.Json.JsonElement> invoices) =>
        string.Join(',', invoices.Select(i => DateTimeOffset.FromUnixTimeSeconds(i.GetProperty("date").GetInt64()).Day.ToString(CultureInfo.InvariantCulture)));

    [Fact]
    public async Task List_MoreThanOnePage_FollowsNextOffsetInDateOrder()
    {
        await using var emu = await DailyAsync();
        await emu.MoveClockToAsync(Unix(2026, 1, 26));

        var days = new List<long>();
        string? offset = null;
        var pages = 0;
        do
        {
            var query = "invoices?limit=10&subscription_id[is]=sub_Daily" + (offset is null ? "" : "&offset=" + Uri.EscapeDataString(offset));
            var body = await emu.GetOkAsync(query);
            days.AddRange(body.GetProperty("list").EnumerateArray().Select(e => e.GetProperty("invoice").GetProperty("date").GetInt64()));
            offset = body.TryGetProperty("next_offset", out var next) ? next.GetString() : null;
            pages++;
        }
        while (offset is not null);

        Assert.Equal(3, pages);
        Assert.Equal(Enumerable.Range(0, 25).Select(d => Jan2 + (d * 86_400L)), days);
    }

    [Fact]
    public async Task List_DefaultLimit_Is10AndLastPageHasNoNextOffset()
    {
        await using var emu = await DailyAsync();

        var first = await emu.GetOkAsync("invoices");
        var rest = await emu.GetOkAsync("invoices?offset=" + Uri.EscapeDataString(first.GetProperty("next_offset").GetString()!));

        Assert.Equal(10, first.GetProperty("list").GetArrayLength());
        Assert.Equal(4, rest.GetProperty("list").GetArrayLength());
        Assert.False(rest.TryGetProperty("next_offset", out _));
    }

    [Theory]
    [InlineData("subscription_id[is]=sub_Daily&date[before]=1767484800", "2,3")]
    [InlineData("customer_id[is]=cust_Daily&date[on]=1767484800", "4")]
    [InlineData("subscription_id[is_not]=sub_Daily", "")]
    [InlineData("subscription_id[in]=[sub_Metered,sub_Nope]", "")]
    [InlineData("subscription_id[not_in]=%5B%22sub_Metered%22%5D&date[between]=[1767312000,1767398400]", "2,3")]
    [InlineData("status[is]=paid&date[after]=1767916800", "10,11,12,13,14,15")]
    [InlineData("status[in]=[pending,posted]", "")]
    [InlineData("status[not_in]=[paid]", "")]
    [InlineData("recurring[is]=false", "")]
    [InlineData("recurring[is]=true&sort_by[desc]=date&limit=3", "15,14,13")]
    [InlineData("sort_by[asc]=updated_at&limit=2&include_deleted=true", "2,3")]
    [InlineData("date[between]=%5B%221768176000%22%2C%20%221768262400%22%5D&unknown[is]=x", "12,13")]
    public async Task List_Filters_SelectAndSort(string query, string expectedDays)
    {
        await using var emu = await DailyAsync();

        Assert.Equal(expectedDays, Days(await emu.InvoicesAsync(query)));
    }

    [Fact]
    public async Task List_StatusFilters_SeePendingAndVoided()
    {
        await using var emu = await DailyAsync();
        await emu.MoveClockToAsync(Feb1);
        var pending = Assert.Single(await emu.InvoicesAsync("status[is]=pending"));
        await emu.InvoiceActionOkAsync(pending.GetProperty("id").GetString()!, "void");

        Assert.Empty(await emu.InvoicesAsync("status[in]=[pending]"));
        Assert.Equal("sub_Metered", Assert.Single(await emu.InvoicesAsync("status[is]=voided")).GetProperty("subscription_id").GetString());
        Assert.Equal(31, (await emu.InvoicesAsync("status[is_not]=voided&limit=100")).Count);
    }

    [Theory]
    [InlineData("limit=0", "limit")]
    [InlineData("limit=101", "limit")]
    [InlineData("offset=garbage!", "offset")]
    [InlineData("include_deleted=maybe", "include_deleted")]
    [InlineData("status[is]=open", "status[is]")]
    [InlineData("status[in]=[posted,open]", "status[in]")]
    [InlineData("status[in]=posted", "status[in]")]
    [InlineData("subscription_id[starts_with]=sub_", "subscription_id[starts_with]")]
    [InlineData("recurring[is]=maybe", "recurring[is]")]
    [InlineData("recurring[is_not]=true", "recurring[is_not]")]
    [InlineData("date[after]=1767225600000", "date[after]")]
    [InlineData("date[after]=yesterday", "date[after]")]
    [InlineData("updated_at[between]=[1767225600]", "updated_at[between]")]
    [InlineData("date[within]=1767225600", "date[within]")]
    [InlineData("sort_by[asc]=created_at", "sort_by[asc]")]
    [InlineData("sort_by[up]=date", "sort_by[up]")]
    public async Task List_BadParameter_Returns400ParamWrongValue(string query, string param)
    {
        await using var emu = await DailyAsync();
        using var response = await emu.ChargebeeGetAsync("invoices?" + query);
        await ChargebeeAssert.ErrorAsync(response, 400, "param_wrong_value", param);
    }

    [Fact]
    public async Task List_UsageListOffset_IsRefused()
    {
        await using var emu = await DailyAsync();
        for (var i = 0; i < 11; i++)
        {
            await emu.CreateUsageAsync($"u-{i}", Jan1 + i, subscription: "sub_Daily");
        }

        var usages = await emu.GetOkAsync("usages");
        using var response = await emu.ChargebeeGetAsync("invoices?offset=" + Uri.EscapeDataString(usages.GetProperty("next_offset").GetString()!));

        await ChargebeeAssert.ErrorAsync(response, 400, "param_wrong_value", "offset");
    }
}
