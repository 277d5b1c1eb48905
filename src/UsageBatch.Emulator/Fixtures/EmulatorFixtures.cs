namespace UsageBatch.Emulator;

/// <summary>
/// The emulator's world: settings plus the accounts, customers, items and subscriptions it knows.
/// Mirrors the README's fixture JSON (camelCase); every field but ids is optional.
/// </summary>
public sealed class EmulatorFixtures
{
    public FixtureSettings Settings { get; set; } = new();

    public WhopFixtures Whop { get; set; } = new();

    public ChargebeeFixtures Chargebee { get; set; } = new();

    /// <summary>A key the emulator's room for <paramref name="providerType"/> (an account's <c>type</c>) accepts.</summary>
    public string ApiKeyFor(string providerType) => providerType.ToLowerInvariant() switch
    {
        "whop" => Whop.ApiKeys[0],
        "chargebee" => Chargebee.ApiKeys[0],
        _ => throw new ArgumentOutOfRangeException(nameof(providerType), providerType, "the emulator has no room for this provider"),
    };

    /// <summary>The built-in set the demo seeds its sample data against; keep these ids stable.</summary>
    public static EmulatorFixtures CreateDefault() => new()
    {
        Settings = new FixtureSettings(),
        Whop = new WhopFixtures
        {
            ApiKeys = ["whop_test_key"],
            Companies = ["biz_DemoCo1", "biz_DemoCo2"],
            Memberships =
            [
                new WhopMembership { Id = "mem_Alpha01", CompanyId = "biz_DemoCo1" },
                new WhopMembership { Id = "mem_Bravo02", CompanyId = "biz_DemoCo1" },
                new WhopMembership { Id = "mem_Charlie03", CompanyId = "biz_DemoCo2" },
            ],
            BillingItems =
            [
                new WhopBillingItem { Id = "bi_ApiCalls01", Identifier = "api-calls", Type = "structured", Currency = "usd" },
                new WhopBillingItem { Id = "bi_StorageGb02", Identifier = "storage-gb", Type = "structured", Currency = "usd" },
                new WhopBillingItem { Id = "bi_Overage03", Identifier = "overage-usd", Type = "variable", Currency = "usd" },
            ],
        },
        Chargebee = new ChargebeeFixtures
        {
            ApiKeys = ["cb_test_key"],
            Subscriptions =
            [
                new ChargebeeSubscription { Id = "sub_Acme", ItemPrices = ["api-calls-USD-monthly", "storage-USD-monthly"] },
                new ChargebeeSubscription { Id = "sub_Globex", ItemPrices = ["api-calls-USD-monthly", "storage-USD-monthly"] },
                new ChargebeeSubscription { Id = "sub_Initech", ItemPrices = ["api-calls-USD-monthly"] },
                new ChargebeeSubscription
                {
                    Id = "sub_Umbrella", Status = "cancelled", ActiveFrom = 0, ActiveTo = 1700000000,
                    ItemPrices = ["api-calls-USD-monthly"],
                },
            ],
        },
    };
}
