using UsageBatch.Emulator;

namespace UsageBatch.Tests.Emulator;

public sealed class WhopUnitPriceTests
{
    [Fact]
    public void Parse_BillingItemUnitPrice_ReadsItAndDefaultsToOne()
    {
        var fixtures = FixtureLoader.Parse("""
            { "whop": { "billingItems": [{ "id": "bi_A", "unitPrice": 0.0125 }, { "id": "bi_B" }] } }
            """);

        Assert.Equal(0.0125m, fixtures.Whop.BillingItems[0].UnitPrice);
        Assert.Equal(1.00m, fixtures.Whop.BillingItems[1].UnitPrice);
    }

    [Fact]
    public void Parse_NegativeUnitPrice_ThrowsNamingTheField()
    {
        var error = Assert.Throws<System.Text.Json.JsonException>(() =>
            FixtureLoader.Parse("""{ "whop": { "billingItems": [{ "id": "bi_A", "unitPrice": -1 }] } }"""));

        Assert.Contains("unitPrice", error.Message, StringComparison.Ordinal);
    }
}
