using UsageBatch.Providers;
using UsageBatch.Storage;
using UsageBatch.Tests.TestSupport;

namespace UsageBatch.Tests.Billing;

/// <summary>
/// Found by the bad-input corpus: a group the provider refused was rejected with only the provider's words
/// ("HTTP 404: Not found"), which do not say which field was unknown. The reason now names what was sent (the
/// customer and item fields with their values) and Chargebee's param when it gives one.
/// </summary>
public sealed class RejectionReasonTests
{
    [Fact]
    public async Task Whop_UnknownMembership_ReasonNamesTheFieldsSent()
    {
        await using var h = await BillingHarness.StartAsync();
        await h.InsertWhopAsync("good", "mem_Alpha01", null, "bi_ApiCalls01", null, null, "1", BillingHarness.Earlier());
        await h.InsertWhopAsync("unknown", "mem_Nobody99", null, "bi_ApiCalls01", null, null, "1", BillingHarness.Earlier());

        await h.Run(BillingHarness.Job(ProviderKind.Whop), h.Account(ProviderKind.Whop)).ExecuteAsync(DateTimeOffset.UtcNow, CancellationToken.None);

        var row = (await h.RowsAsync(Tables.Whop)).Single(r => r.SourceKey == "unknown");
        Assert.Equal("rejected", row.BillingStatus);
        Assert.Contains("membership_id=mem_Nobody99", row.BillingError, StringComparison.Ordinal);
        Assert.Contains("Not found", row.BillingError, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Chargebee_ItemPriceNotOnSubscription_ReasonNamesTheParam()
    {
        await using var h = await BillingHarness.StartAsync();
        await h.InsertChargebeeAsync("good", "sub_Acme", "api-calls-USD-monthly", "1", BillingHarness.Earlier());
        await h.InsertChargebeeAsync("stranger", "sub_Initech", "storage-USD-monthly", "1", BillingHarness.Earlier());

        await h.Run(BillingHarness.Job(ProviderKind.Chargebee), h.Account(ProviderKind.Chargebee)).ExecuteAsync(DateTimeOffset.UtcNow, CancellationToken.None);

        var row = (await h.RowsAsync(Tables.Chargebee)).Single(r => r.SourceKey == "stranger");
        Assert.Equal("rejected", row.BillingStatus);
        Assert.Contains("item_price_id", row.BillingError, StringComparison.Ordinal);
        Assert.Contains("subscription_id=sub_Initech", row.BillingError, StringComparison.Ordinal);
    }
}
