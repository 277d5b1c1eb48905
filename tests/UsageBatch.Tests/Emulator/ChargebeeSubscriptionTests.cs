using System.Text.Json;
using UsageBatch.Emulator;
using static UsageBatch.Tests.Emulator.TermHarness;

namespace UsageBatch.Tests.Emulator;

/// <summary>GET /subscriptions/{id}: the fields a job reads to find a term and its invoice.</summary>
public sealed class ChargebeeSubscriptionTests
{
    private static async Task<JsonElement> SubscriptionAsync(EmulatorHarness emu, string id)
    {
        var body = await emu.GetOkAsync("subscriptions/" + id);
        var customer = body.GetProperty("customer");
        Assert.Equal("customer", customer.GetProperty("object").GetString());
        var subscription = body.GetProperty("subscription");
        Assert.Equal(customer.GetProperty("id").GetString(), subscription.GetProperty("customer_id").GetString());
        return subscription;
    }

    [Fact]
    public async Task Retrieve_WithTerms_ShowsTheCurrentTermAndMovesWithRenewals()
    {
        var fixture = Metered(pendingInvoices: true);
        fixture.ActiveFrom = Unix(2025, 6, 1);
        fixture.CustomerId = "cust_Acme";
        await using var emu = await StartAsync(fixture);

        var subscription = await SubscriptionAsync(emu, "sub_Metered");

        Assert.Equal("sub_Metered", subscription.GetProperty("id").GetString());
        Assert.Equal("cust_Acme", subscription.GetProperty("customer_id").GetString());
        Assert.Equal("active", subscription.GetProperty("status").GetString());
        Assert.Equal(Jan1, subscription.GetProperty("current_term_start").GetInt64());
        Assert.Equal(Feb1, subscription.GetProperty("current_term_end").GetInt64());
        Assert.Equal(Feb1, subscription.GetProperty("next_billing_at").GetInt64());
        Assert.Equal(Unix(2025, 6, 1), subscription.GetProperty("started_at").GetInt64());
        Assert.Equal(Unix(2025, 6, 1), subscription.GetProperty("activated_at").GetInt64());
        Assert.False(subscription.TryGetProperty("cancelled_at", out _));
        Assert.Equal(1, subscription.GetProperty("billing_period").GetInt32());
        Assert.Equal("month", subscription.GetProperty("billing_period_unit").GetString());
        Assert.Equal("USD", subscription.GetProperty("currency_code").GetString());
        Assert.True(subscription.GetProperty("create_pending_invoices").GetBoolean());
        Assert.False(subscription.GetProperty("auto_close_invoices").GetBoolean());
        Assert.False(subscription.GetProperty("deleted").GetBoolean());
        Assert.False(subscription.GetProperty("has_scheduled_changes").GetBoolean());
        Assert.Equal("subscription", subscription.GetProperty("object").GetString());
        var item = subscription.GetProperty("subscription_items")[0];
        Assert.Equal(ApiCalls, item.GetProperty("item_price_id").GetString());
        Assert.Equal("addon", item.GetProperty("item_type").GetString());
        Assert.Equal(1, item.GetProperty("quantity").GetInt32());
        Assert.Equal(5, item.GetProperty("unit_price").GetInt64());
        Assert.Equal(0, item.GetProperty("amount").GetInt64());
        Assert.Equal("subscription_item", item.GetProperty("object").GetString());
        Assert.Equal(100, subscription.GetProperty("subscription_items")[2].GetProperty("unit_price").GetInt64());

        await emu.MoveClockToAsync(Feb1 + 1);
        var renewed = await SubscriptionAsync(emu, "sub_Metered");

        Assert.Equal(Feb1, renewed.GetProperty("current_term_start").GetInt64());
        Assert.Equal(Mar1, renewed.GetProperty("current_term_end").GetInt64());
        Assert.Equal(Feb1, renewed.GetProperty("updated_at").GetInt64());
        Assert.Equal(Feb1 * 1000, renewed.GetProperty("resource_version").GetInt64());
    }

    [Fact]
    public async Task Retrieve_WithoutTerms_HasNoTermFields()
    {
        await using var emu = await EmulatorHarness.StartAsync();

        var subscription = await SubscriptionAsync(emu, "sub_Acme");

        Assert.Equal("active", subscription.GetProperty("status").GetString());
        Assert.Equal("cust_sub_Acme", subscription.GetProperty("customer_id").GetString());
        Assert.False(subscription.TryGetProperty("current_term_start", out _));
        Assert.False(subscription.TryGetProperty("current_term_end", out _));
        Assert.False(subscription.TryGetProperty("next_billing_at", out _));
        Assert.Equal(emu.Time.GetUtcNow().ToUnixTimeSeconds(), subscription.GetProperty("created_at").GetInt64());
    }

    [Fact]
    public async Task Retrieve_CancelledFixture_ReadsCancelledWithCancelledAt()
    {
        await using var emu = await EmulatorHarness.StartAsync();

        var subscription = await SubscriptionAsync(emu, "sub_Umbrella");

        Assert.Equal("cancelled", subscription.GetProperty("status").GetString());
        Assert.Equal(1_700_000_000, subscription.GetProperty("cancelled_at").GetInt64());
    }

    [Fact]
    public async Task Retrieve_NonRenewing_IsCancelledAtItsTermEnd()
    {
        var fixture = Metered(pendingInvoices: false);
        fixture.Status = "non_renewing";
        await using var emu = await StartAsync(fixture);
        Assert.Equal(Feb1, (await SubscriptionAsync(emu, "sub_Metered")).GetProperty("cancelled_at").GetInt64());

        await emu.MoveClockToAsync(Mar1 + 1);

        var subscription = await SubscriptionAsync(emu, "sub_Metered");
        Assert.Equal("cancelled", subscription.GetProperty("status").GetString());
        Assert.False(subscription.TryGetProperty("current_term_end", out _));
        Assert.Equal(Feb1, Assert.Single(await emu.InvoicesAsync()).GetProperty("date").GetInt64());
    }

    [Fact]
    public async Task Retrieve_PausedWithTerms_NeverRenews()
    {
        var fixture = Metered(pendingInvoices: false);
        fixture.Status = "paused";
        await using var emu = await StartAsync(fixture);

        await emu.MoveClockToAsync(Mar1);

        var subscription = await SubscriptionAsync(emu, "sub_Metered");
        Assert.Equal("paused", subscription.GetProperty("status").GetString());
        Assert.Equal(Jan1, subscription.GetProperty("current_term_start").GetInt64());
        Assert.False(subscription.TryGetProperty("next_billing_at", out _));
        Assert.Empty(await emu.InvoicesAsync());
    }
}
