using UsageBatch.Storage;

namespace UsageBatch.Usage;

/// <summary>Usage rows of the built-in tables as the store reads them, with each provider's columns named.</summary>
internal static class TestRows
{
    public static UsageRow Whop(long id, string? key, string? company, string? membership, string? itemId, string? identifier,
        string? amount, string? quantity, string? at) =>
        new(Tables.Whop, id, key, at, [membership, company, itemId, identifier, amount, quantity]);

    public static UsageRow Chargebee(long id, string? key, string? subscription, string? itemPrice, string? quantity, string? at) =>
        new(Tables.Chargebee, id, key, at, [subscription, itemPrice, quantity]);
}
