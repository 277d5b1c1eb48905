using UsageBatch.Providers.Chargebee;
using UsageBatch.Providers.Whop;
using UsageBatch.Storage;

namespace UsageBatch.Providers;

/// <summary>The providers this build knows, named once: a new provider is its folder plus one line here.</summary>
internal static class ProviderRegistry
{
    private static readonly ProviderModule[] Modules =
    [
        new WhopModule(),
        new ChargebeeModule(),
    ];

    public static IReadOnlyList<ProviderModule> All => Modules;

    /// <summary>The account types jobs.json accepts, as an error message lists them.</summary>
    public static string Types => string.Join(", ", Modules.Select(m => m.Type));

    public static ProviderModule? Find(string type) =>
        Modules.FirstOrDefault(m => string.Equals(m.Type, type, StringComparison.OrdinalIgnoreCase));

    public static ProviderModule For(string type) => Find(type) ?? throw new InvalidOperationException($"unknown provider type '{type}'");

    /// <summary>The module whose rows live in <paramref name="table"/>.</summary>
    public static ProviderModule For(UsageTable table) => Modules.Single(m => m.Table == table);
}
