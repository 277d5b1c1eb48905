using System.Text.Json.Serialization;

namespace UsageBatch.Emulator.Chargebee;

/// <summary>Retrieve a subscription: <c>{"subscription": {...}, "customer": {...}}</c> (the provider's API docs).</summary>
internal sealed class ChargebeeSubscriptionView(EmulatorState state)
{
    public ProviderResponse Retrieve(string subscriptionId)
    {
        lock (state.Gate)
        {
            ChargebeeRenewals.CatchUp(state);
            var subscription = state.Fixtures.Chargebee.Subscriptions.FirstOrDefault(s => s.Id == subscriptionId);
            return subscription is null
                ? ChargebeeError.ResourceNotFound()
                : ProviderResponse.Json(200, new Envelope(Render(subscription), new Customer(SubscriptionFacts.CustomerId(subscription))));
        }
    }

    private Resource Render(ChargebeeSubscription subscription)
    {
        var now = state.Time.GetUtcNow().ToUnixTimeSeconds();
        var status = SubscriptionFacts.Status(subscription, now);
        var cancelledAt = SubscriptionFacts.CancelledAt(subscription);
        long? termStart = null, termEnd = null, nextBillingAt = null;
        // inferred (the provider's API docs): a cancelled subscription has no current term, and only one that renews
        // has a next billing date (its term's end, or cancelled_at when that comes first).
        if (SubscriptionFacts.HasTerms(subscription) && status != "cancelled")
        {
            var index = ChargebeeRenewals.TermOf(state, subscription).Index;
            termStart = SubscriptionFacts.Boundary(subscription, index);
            termEnd = SubscriptionFacts.Boundary(subscription, index + 1);
            nextBillingAt = SubscriptionFacts.Renews(subscription) ? Math.Min(termEnd.Value, cancelledAt ?? long.MaxValue) : null;
        }

        // inferred (the provider's API docs give no rule the fixtures could follow): created when it started, else
        // when its fixture term began, else when the emulator started; updated at its latest renewal or cancellation.
        var createdAt = subscription.ActiveFrom ?? subscription.CurrentTermStart ?? state.StartedAt;
        var updatedAt = new[] { createdAt, termStart ?? long.MinValue, cancelledAt is { } at && at <= now ? at : long.MinValue }.Max();
        return new Resource(
            subscription.Id,
            SubscriptionFacts.CustomerId(subscription),
            status,
            termStart,
            termEnd,
            nextBillingAt,
            subscription.ActiveFrom,
            subscription.ActiveFrom,
            cancelledAt,
            subscription.BillingPeriod,
            subscription.BillingPeriodUnit,
            subscription.CurrencyCode,
            subscription.CreatePendingInvoices,
            !subscription.CreatePendingInvoices,
            createdAt,
            updatedAt,
            updatedAt * 1000,
            [.. subscription.ItemPrices.Select(p => new Item(p, SubscriptionFacts.UnitAmount(subscription, p)))]);
    }

    private sealed record Envelope(Resource Subscription, Customer Customer);

    private sealed record Customer(string Id)
    {
        public string Object => "customer";
    }

    private sealed record Resource(
        string Id,
        string CustomerId,
        string Status,
        [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] long? CurrentTermStart,
        [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] long? CurrentTermEnd,
        [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] long? NextBillingAt,
        [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] long? StartedAt,
        [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] long? ActivatedAt,
        [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] long? CancelledAt,
        int BillingPeriod,
        string BillingPeriodUnit,
        string CurrencyCode,
        bool CreatePendingInvoices,
        bool AutoCloseInvoices,
        long CreatedAt,
        long UpdatedAt,
        long ResourceVersion,
        IReadOnlyList<Item> SubscriptionItems)
    {
        public bool Deleted => false;

        public bool HasScheduledChanges => false;

        public string Object => "subscription";
    }

    /// <summary>Metered add-ons: quantity 1 and amount 0, their charge comes from usages.</summary>
    private sealed record Item(string ItemPriceId, long UnitPrice)
    {
        public string ItemType => "addon";

        public int Quantity => 1;

        public long Amount => 0;

        public string Object => "subscription_item";
    }
}
