namespace UsageBatch.Reliability;

/// <summary>A usage as the provider's own list endpoint shows it: customer, item (Whop: always the item id) and value.</summary>
internal sealed record ProviderSideUsage(string Provider, string Id, string Customer, string Item, decimal Value);
