using UsageBatch.Emulator;

namespace UsageBatch.Tests.Emulator;

/// <summary>Create against the active period: whatever the date or the subscription's status, the usage is stored.</summary>
public sealed class ChargebeeActivePeriodTests
{
    // Chargebee stores a usage dated outside the active period, or on a cancelled or paused subscription, and
    // simply never bills it (the provider's API docs); the emulator used to refuse these with a 400.
    [Theory]
    [InlineData("sub_Umbrella", 1_600_000_000)] // cancelled: stored even inside its old active period
    [InlineData("sub_Umbrella", 1_768_435_200)]
    [InlineData("sub_Window", 999)]             // before activeFrom
    [InlineData("sub_Window", 2000)]            // activeTo is exclusive
    [InlineData("sub_Paused", 1_768_435_200)]
    public async Task Create_OutsideActivePeriod_IsStoredWithoutInvoice(string subscription, long usageDate)
    {
        await using var emu = await EmulatorHarness.StartAsync(f =>
        {
            f.Chargebee.Subscriptions.Add(new ChargebeeSubscription
            {
                Id = "sub_Window", Status = "non_renewing", ActiveFrom = 1000, ActiveTo = 2000, ItemPrices = ["api-calls-USD-monthly"],
            });
            f.Chargebee.Subscriptions.Add(new ChargebeeSubscription { Id = "sub_Paused", Status = "paused", ItemPrices = ["api-calls-USD-monthly"] });
        });

        using var response = await emu.ChargebeeCreateAsync(subscription, EmulatorHarness.UsageForm(id: "u-1", usageDate: usageDate));

        Assert.Equal(200, (int)response.StatusCode);
        var usage = (await EmulatorHarness.ReadJsonAsync(response)).GetProperty("usage");
        Assert.Equal(usageDate, usage.GetProperty("usage_date").GetInt64());
        Assert.False(usage.TryGetProperty("invoice_id", out _));
        Assert.Equal("u-1", (await emu.LedgerAsync()).GetProperty("chargebee")[0].GetProperty("id").GetString());
    }

    [Fact]
    public async Task Create_OutsideActivePeriod_StillMeetsTheOtherRules()
    {
        await using var emu = await EmulatorHarness.StartAsync();
        using var first = await emu.ChargebeeCreateAsync("sub_Umbrella", EmulatorHarness.UsageForm(id: "u-1"));
        using var clash = await emu.ChargebeeCreateAsync("sub_Umbrella", EmulatorHarness.UsageForm(id: "u-2"));
        using var foreignItem = await emu.ChargebeeCreateAsync("sub_Umbrella", EmulatorHarness.UsageForm(itemPrice: "storage-USD-monthly", usageDate: 5));

        Assert.Equal(200, (int)first.StatusCode);
        await ChargebeeAssert.ErrorAsync(clash, 400, "invalid_request", "usage_date");
        await ChargebeeAssert.ErrorAsync(foreignItem, 400, "invalid_request", "item_price_id");
    }

    [Fact]
    public async Task Create_InsideActivePeriodOfNonRenewing_Succeeds()
    {
        await using var emu = await EmulatorHarness.StartAsync(f => f.Chargebee.Subscriptions.Add(new ChargebeeSubscription
        {
            Id = "sub_Window", Status = "non_renewing", ActiveFrom = 1000, ActiveTo = 2000, ItemPrices = ["api-calls-USD-monthly"],
        }));

        using var first = await emu.ChargebeeCreateAsync("sub_Window", EmulatorHarness.UsageForm(usageDate: 1000));
        using var last = await emu.ChargebeeCreateAsync("sub_Window", EmulatorHarness.UsageForm(usageDate: 1999));

        Assert.Equal(200, (int)first.StatusCode);
        Assert.Equal(200, (int)last.StatusCode);
    }
}
