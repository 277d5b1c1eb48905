using UsageBatch.Providers;
using UsageBatch.Usage;

namespace UsageBatch.Tests.Usage;

public sealed class UsageRowValidatorTests
{
    private static readonly ValidationRules Rules = new(QuantityDecimals: 2, AmountDecimals: 2, OldestAccepted: new DateTimeOffset(2025, 1, 1, 0, 0, 0, TimeSpan.Zero));

    private static UsageRow Whop(string? company = null, string? membership = "mem_A1", string? itemId = "bi_X1", string? identifier = null,
        string? amount = null, string? quantity = "5", string? at = "2026-11-20T10:00:00Z", string? key = "k") =>
        TestRows.Whop(1, key, company, membership, itemId, identifier, amount, quantity, at);

    private static UsageRow Chargebee(string? sub = "sub_A", string? price = "p-USD", string? quantity = "5", string? at = "2026-11-20T10:00:00.250Z") =>
        TestRows.Chargebee(1, "k", sub, price, quantity, at);

    [Theory]
    [InlineData(null, null, "neither company_id nor membership_id")]
    [InlineData("biz_A1", "mem_A1", "both company_id and membership_id")]
    [InlineData(null, "member42", "membership_id 'member42' is not a Whop id")]
    [InlineData("biz_ü1", null, "company_id 'biz_ü1' is not a Whop id")]
    public void Check_WhopCustomerFields_NameTheField(string? company, string? membership, string expected) =>
        Assert.Contains(expected, ProviderRegistry.For("whop").CheckRow(Whop(company, membership), Rules), StringComparison.Ordinal);

    [Theory]
    [InlineData(null, null, "5", null, "neither billing_item_id nor billing_item_identifier")]
    [InlineData("bi_X1", "api-calls", "5", null, "both billing_item_id and billing_item_identifier")]
    [InlineData("bi_X1", null, "5", "2", "both amount and quantity")]
    [InlineData("bi_X1", null, null, null, "neither amount nor quantity")]
    [InlineData("bi_X1", null, "1e5", null, "quantity '1e5' is not a plain decimal")]
    [InlineData("bi_X1", null, "1,5", null, "quantity '1,5' is not a plain decimal")]
    [InlineData("bi_X1", null, " 5", null, "quantity ' 5' is not a plain decimal")]
    [InlineData("bi_X1", null, "+5", null, "quantity '+5' is not a plain decimal")]
    [InlineData("bi_X1", null, null, "1.005", "amount 1.005 has 3 decimals")]
    [InlineData("bi_X1", null, "1234567890123456789", null, "quantity '1234567890123456789' is out of range")]
    [InlineData("bi_X1", null, "0.12345678901", null, "has 11 decimals; at most 10")]
    [InlineData("bi_X1", null, "123456789.12345678", null, "more significant digits than Whop")]
    [InlineData("bi_X1", " api", "5", null, "both billing_item_id and billing_item_identifier")]
    public void Check_WhopItemAndValue_NameTheField(string? itemId, string? identifier, string? quantity, string? amount, string expected)
    {
        var rules = Rules with { QuantityDecimals = 10 };
        Assert.Contains(expected, ProviderRegistry.For("whop").CheckRow(Whop(itemId: itemId, identifier: identifier, quantity: quantity, amount: amount), rules), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(null, "occurred_at is missing")]
    [InlineData("2026-11-20 10:00:00", "occurred_at '2026-11-20 10:00:00' is not UTC")]
    [InlineData("2026-11-20T10:00:00+01:00", "is not UTC")]
    [InlineData("2026-11-20T10:00:00.5Z", "is not UTC")]
    [InlineData("2026-02-30T10:00:00Z", "is not a real date")]
    [InlineData("1999-12-31T23:59:59Z", "older than the job accepts")]
    public void Check_OccurredAt_NamesTheField(string? at, string expected) =>
        Assert.Contains(expected, ProviderRegistry.For("whop").CheckRow(Whop(at: at), Rules), StringComparison.Ordinal);

    [Theory]
    [InlineData(null, "p", "5", "subscription_id is missing")]
    [InlineData("sub A", "p", "5", "subscription_id 'sub A' must be printable ASCII")]
    [InlineData("sub_A", null, "5", "item_price_id is missing")]
    [InlineData("sub_A", "p", null, "quantity is missing")]
    [InlineData("sub_A", "p", "1.234", "quantity 1.234 has 3 decimals; the provider takes at most 2")]
    [InlineData("sub_A", "p", "abc", "quantity 'abc' is not a plain decimal")]
    public void Check_ChargebeeFields_NameTheField(string? sub, string? price, string? quantity, string expected) =>
        Assert.Contains(expected, ProviderRegistry.For("chargebee").CheckRow(Chargebee(sub, price, quantity), Rules), StringComparison.Ordinal);

    [Fact]
    public void Check_ChargebeeIdOverProviderLimit_IsRejected() =>
        Assert.Contains("Chargebee takes at most 100", ProviderRegistry.For("chargebee").CheckRow(Chargebee(price: new string('p', 101)), Rules), StringComparison.Ordinal);

    [Fact]
    public void Check_SourceKeyLongerThanColumn_IsRejected() =>
        Assert.Contains("source_key is 201 characters", ProviderRegistry.For("whop").CheckRow(Whop(key: new string('k', 201)), Rules), StringComparison.Ordinal);

    [Theory]
    [InlineData("-12.5")]
    [InlineData("0")]
    [InlineData("1.50")]
    public void Check_GoodRows_Pass(string quantity)
    {
        Assert.Null(ProviderRegistry.For("whop").CheckRow(Whop(quantity: quantity), Rules));
        Assert.Null(ProviderRegistry.For("chargebee").CheckRow(Chargebee(quantity: quantity), Rules));
    }
}
