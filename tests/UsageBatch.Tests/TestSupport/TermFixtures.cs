using UsageBatch.Emulator;

namespace UsageBatch.Tests.TestSupport;

/// <summary>Emulated Chargebee subscriptions with terms, for the late-usage and tie-out tests.</summary>
internal static class TermFixtures
{
    /// <summary>A monthly subscription whose first term ended about ten days before <paramref name="now"/> (its renewal invoice exists).</summary>
    public static ChargebeeSubscription Monthly(string id, bool pendingInvoices, DateTimeOffset now) => new()
    {
        Id = id, ItemPrices = ["api-calls-USD-monthly"], CurrentTermStart = now.AddMonths(-1).AddDays(-10).ToUnixTimeSeconds(),
        CreatePendingInvoices = pendingInvoices,
    };

    /// <summary>The default fixtures plus <paramref name="subscriptions"/>, the site aggregating usage by <paramref name="aggregation"/>.</summary>
    public static async Task<BillingHarness> StartAsync(string aggregation, params ChargebeeSubscription[] subscriptions)
    {
        var fixtures = EmulatorFixtures.CreateDefault();
        fixtures.Settings.Chargebee.UsageAggregation = aggregation;
        foreach (var s in subscriptions)
        {
            fixtures.Chargebee.Subscriptions.Add(s);
        }

        return await BillingHarness.StartAsync(fixtures);
    }
}
