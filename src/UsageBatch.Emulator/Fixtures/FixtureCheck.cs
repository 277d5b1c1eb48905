namespace UsageBatch.Emulator;

/// <summary>Fixture values the emulator could not bill with, refused at load rather than at the first renewal.</summary>
internal static class FixtureCheck
{
    private static readonly string[] Units = ["day", "week", "month", "year"];

    /// <summary>The first problem found, or null.</summary>
    public static string? Problem(EmulatorFixtures fixtures)
    {
        if (fixtures.Settings.Chargebee.UsageAggregation is not ("sum" or "max"))
        {
            return "settings.chargebee.usageAggregation must be sum or max";
        }

        foreach (var subscription in fixtures.Chargebee.Subscriptions)
        {
            var where = $"chargebee subscription '{subscription.Id}'";
            if (subscription.BillingPeriod < 1)
            {
                return $"{where}: billingPeriod must be 1 or more";
            }

            if (!Units.Contains(subscription.BillingPeriodUnit, StringComparer.Ordinal))
            {
                return $"{where}: billingPeriodUnit must be day, week, month or year";
            }

            if (subscription.UnitAmounts.Any(a => a.Value < 0))
            {
                return $"{where}: unitAmounts must not be negative";
            }
        }

        foreach (var item in fixtures.Whop.BillingItems)
        {
            if (item.UnitPrice < 0)
            {
                return $"whop billing item '{item.Id}': unitPrice must not be negative";
            }
        }

        return null;
    }
}
