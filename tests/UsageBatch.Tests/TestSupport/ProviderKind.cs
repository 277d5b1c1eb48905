using UsageBatch.Storage;

namespace UsageBatch.Providers;

/// <summary>The two built-in providers, as the tests name them (the product itself knows providers only through <see cref="ProviderRegistry"/>).</summary>
internal enum ProviderKind
{
    Whop,
    Chargebee,
}

internal static class ProviderKindExtensions
{
    public static ProviderModule Module(this ProviderKind kind) => kind switch
    {
        ProviderKind.Whop => ProviderRegistry.For("whop"),
        ProviderKind.Chargebee => ProviderRegistry.For("chargebee"),
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, null),
    };

    public static UsageTable Table(this ProviderKind kind) => kind.Module().Table;
}
