namespace UsageBatch.Emulator;

public sealed class ChargebeeSubscription
{
    public string Id { get; set; } = "";

    /// <summary>
    /// <c>active</c> or <c>non_renewing</c> renew and bill; anything else (<c>cancelled</c>, <c>paused</c>, …) takes
    /// usages but never bills them. Reads <c>cancelled</c> once <see cref="ActiveTo"/> has passed.
    /// </summary>
    public string Status { get; set; } = "active";

    public IList<string> ItemPrices { get; set; } = [];

    /// <summary>activated_at and started_at: unix seconds, inclusive; null = open.</summary>
    public long? ActiveFrom { get; set; }

    /// <summary>cancelled_at: unix seconds, exclusive; null = open.</summary>
    public long? ActiveTo { get; set; }

    /// <summary>Usages recorded before the emulator started; they count towards the lifetime cap.</summary>
    public int ExistingUsages { get; set; }

    /// <summary>
    /// Unix seconds the fixture's current term started; null = no terms modelled (an open-ended term that never
    /// renews or invoices).
    /// </summary>
    public long? CurrentTermStart { get; set; }

    public int BillingPeriod { get; set; } = 1;

    /// <summary><c>day</c>, <c>week</c>, <c>month</c> or <c>year</c>; months and years are calendar months in UTC.</summary>
    public string BillingPeriodUnit { get; set; } = "month";

    /// <summary>true: a renewal's invoice stays <c>pending</c> (open to more usages) until closed.</summary>
    public bool CreatePendingInvoices { get; set; }

    /// <summary>null = <c>cust_</c> + the subscription id.</summary>
    public string? CustomerId { get; set; }

    public string CurrencyCode { get; set; } = "USD";

    /// <summary>Item price id to cents per unit; an item price not named here costs 100.</summary>
    public IDictionary<string, long> UnitAmounts { get; set; } = new Dictionary<string, long>(StringComparer.Ordinal);
}
