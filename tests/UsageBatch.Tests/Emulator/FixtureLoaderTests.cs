using UsageBatch.Emulator;

namespace UsageBatch.Tests.Emulator;

public sealed class FixtureLoaderTests
{
    [Fact]
    public void Parse_DesignDocumentSample_BindsEveryField()
    {
        // The README's fixture example, with the shrunk settings tests use.
        const string json = """
            { "settings": { "whop": { "requestsPerWindow": 3, "window": "00:00:01", "lockout": "00:00:05", "receiptOnCreate": false },
                            "chargebee": { "requestsPerMinute": 7, "window": "00:00:02", "idempotencyWindow": "00:30:00", "maxUsagesPerSubscription": 5, "quantityDecimals": 4 } },
              "whop": { "apiKeys": ["whop_test_key"], "companies": ["biz_1"],
                        "memberships": [{ "id": "mem_1", "companyId": "biz_1" }],
                        "billingItems": [{ "id": "bi_1", "identifier": "api-calls", "type": "variable", "currency": "eur" }] },
              "chargebee": { "apiKeys": ["cb_test_key"],
                             "subscriptions": [{ "id": "sub_1", "status": "non_renewing", "itemPrices": ["api-calls-USD-monthly"],
                                                 "activeFrom": 0, "activeTo": null, "existingUsages": 2 }] } }
            """;

        var fixtures = FixtureLoader.Parse(json);

        Assert.Equal(3, fixtures.Settings.Whop.RequestsPerWindow);
        Assert.Equal(TimeSpan.FromSeconds(1), fixtures.Settings.Whop.Window);
        Assert.Equal(TimeSpan.FromSeconds(5), fixtures.Settings.Whop.Lockout);
        Assert.False(fixtures.Settings.Whop.ReceiptOnCreate);
        Assert.Equal(7, fixtures.Settings.Chargebee.RequestsPerMinute);
        Assert.Equal(TimeSpan.FromSeconds(2), fixtures.Settings.Chargebee.Window);
        Assert.Equal(TimeSpan.FromMinutes(30), fixtures.Settings.Chargebee.IdempotencyWindow);
        Assert.Equal(5, fixtures.Settings.Chargebee.MaxUsagesPerSubscription);
        Assert.Equal(4, fixtures.Settings.Chargebee.QuantityDecimals);
        Assert.Equal("biz_1", fixtures.Whop.Memberships.Single().CompanyId);
        Assert.Equal("variable", fixtures.Whop.BillingItems.Single().Type);
        Assert.Equal("eur", fixtures.Whop.BillingItems.Single().Currency);
        var subscription = fixtures.Chargebee.Subscriptions.Single();
        Assert.Equal("non_renewing", subscription.Status);
        Assert.Equal(0, subscription.ActiveFrom);
        Assert.Null(subscription.ActiveTo);
        Assert.Equal(2, subscription.ExistingUsages);
    }

    [Fact]
    public void Parse_OnlyIds_FillsDefaults()
    {
        var fixtures = FixtureLoader.Parse("""{ "chargebee": { "subscriptions": [{ "id": "sub_1" }] } }""");

        Assert.Equal(20, fixtures.Settings.Whop.RequestsPerWindow);
        Assert.Equal(TimeSpan.FromMinutes(1), fixtures.Settings.Chargebee.Window);
        Assert.Equal("active", fixtures.Chargebee.Subscriptions.Single().Status);
        Assert.Empty(fixtures.Whop.ApiKeys);
    }

    [Fact]
    public void Parse_TermFields_BindAndDefault()
    {
        var fixtures = FixtureLoader.Parse("""
            { "chargebee": { "subscriptions": [
                { "id": "sub_1", "currentTermStart": 1767225600, "billingPeriod": 3, "billingPeriodUnit": "week", "createPendingInvoices": true,
                  "customerId": "cust_1", "currencyCode": "EUR", "unitAmounts": { "api-calls-EUR-monthly": 7 } },
                { "id": "sub_2" } ] } }
            """);

        var terms = fixtures.Chargebee.Subscriptions[0];
        Assert.Equal(1767225600, terms.CurrentTermStart);
        Assert.Equal(3, terms.BillingPeriod);
        Assert.Equal("week", terms.BillingPeriodUnit);
        Assert.True(terms.CreatePendingInvoices);
        Assert.Equal("cust_1", terms.CustomerId);
        Assert.Equal("EUR", terms.CurrencyCode);
        Assert.Equal(7, terms.UnitAmounts["api-calls-EUR-monthly"]);
        var plain = fixtures.Chargebee.Subscriptions[1];
        Assert.Null(plain.CurrentTermStart);
        Assert.Equal(1, plain.BillingPeriod);
        Assert.Equal("month", plain.BillingPeriodUnit);
        Assert.False(plain.CreatePendingInvoices);
        Assert.Null(plain.CustomerId);
        Assert.Equal("USD", plain.CurrencyCode);
        Assert.Empty(plain.UnitAmounts);
    }

    [Theory]
    [InlineData("""{ "id": "s", "billingPeriodUnit": "months" }""", "billingPeriodUnit")]
    [InlineData("""{ "id": "s", "billingPeriod": 0 }""", "billingPeriod")]
    [InlineData("""{ "id": "s", "unitAmounts": { "p": -1 } }""", "unitAmounts")]
    public void Parse_TermSettingsItCannotBillWith_ThrowsNamingTheField(string subscription, string field)
    {
        var error = Assert.Throws<System.Text.Json.JsonException>(() =>
            FixtureLoader.Parse($$"""{ "chargebee": { "subscriptions": [{{subscription}}] } }"""));

        Assert.Contains(field, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Start_InMemoryFixturesItCannotBillWith_Throws()
    {
        var fixtures = EmulatorFixtures.CreateDefault();
        fixtures.Chargebee.Subscriptions.Add(new ChargebeeSubscription { Id = "s", BillingPeriodUnit = "fortnight" });

        await Assert.ThrowsAsync<ArgumentException>(() => EmulatorServer.StartAsync(new EmulatorOptions { Fixtures = fixtures }));
    }
}
