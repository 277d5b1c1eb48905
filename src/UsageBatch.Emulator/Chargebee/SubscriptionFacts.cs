namespace UsageBatch.Emulator.Chargebee;

/// <summary>What a fixture subscription implies: its term boundaries, its active period and its customer.</summary>
internal static class SubscriptionFacts
{
    private const long Day = 86_400;

    public static bool HasTerms(ChargebeeSubscription subscription) => subscription.CurrentTermStart is not null;

    /// <summary>
    /// Only these renew and invoice; a paused, future, in-trial or cancelled fixture keeps its term frozen
    /// (inferred: the provider's API docs describe pauses and trials moving terms, which is not modelled here).
    /// </summary>
    public static bool Renews(ChargebeeSubscription subscription) =>
        HasTerms(subscription) && subscription.Status is "active" or "non_renewing";

    /// <summary>
    /// The start of the term <paramref name="index"/> terms after the fixture's current one; long.MaxValue past
    /// the calendar's end. Boundaries count from the first term's start, so a term anchored on the 31st ends on the
    /// last day of a shorter month and on the 31st again after it (inferred: the provider's API docs).
    /// </summary>
    public static long Boundary(ChargebeeSubscription subscription, int index)
    {
        var anchor = subscription.CurrentTermStart ?? throw new InvalidOperationException($"{subscription.Id} has no terms");
        var periods = (long)subscription.BillingPeriod * index;
        try
        {
            return subscription.BillingPeriodUnit switch
            {
                "day" => checked(anchor + (periods * Day)),
                "week" => checked(anchor + (periods * 7 * Day)),
                "year" => AddMonths(anchor, checked(periods * 12)),
                _ => AddMonths(anchor, periods),
            };
        }
        catch (Exception e) when (e is OverflowException or ArgumentOutOfRangeException)
        {
            return long.MaxValue;
        }
    }

    /// <summary>
    /// cancelled_at: the fixture's activeTo, or for a non_renewing subscription with terms the end of its current
    /// term (the provider's API docs: a non-renewing subscription is cancelled at the end of the term).
    /// </summary>
    public static long? CancelledAt(ChargebeeSubscription subscription) =>
        subscription.ActiveTo ?? (subscription.Status == "non_renewing" && HasTerms(subscription) ? (long?)Boundary(subscription, 1) : null);

    /// <summary>Only usages dated while active are ever billed; the others are stored and left alone.</summary>
    public static bool IsActiveAt(ChargebeeSubscription subscription, long date) =>
        date >= (subscription.ActiveFrom ?? long.MinValue) && date < (CancelledAt(subscription) ?? long.MaxValue);

    public static string Status(ChargebeeSubscription subscription, long now) =>
        CancelledAt(subscription) <= now ? "cancelled" : subscription.Status;

    public static string CustomerId(ChargebeeSubscription subscription) => subscription.CustomerId ?? "cust_" + subscription.Id;

    /// <summary>inferred (the provider's API docs leave the default price open): 100 cents a unit.</summary>
    public static long UnitAmount(ChargebeeSubscription subscription, string itemPriceId) =>
        subscription.UnitAmounts.TryGetValue(itemPriceId, out var cents) ? cents : 100;

    private static long AddMonths(long anchor, long months) =>
        DateTimeOffset.FromUnixTimeSeconds(anchor).AddMonths(checked((int)months)).ToUnixTimeSeconds();
}
