using UsageBatch.Providers.Chargebee;
using UsageBatch.Providers.Whop;
using UsageBatch.Storage;

namespace UsageBatch.Providers;

/// <summary>The providers this build knows, named once: a new provider is its folder plus one line here.</summary>
internal static class ProviderRegistry
{
    /// <summary>The providers this build ships (what the schema scripts create tables for).</summary>
    public static readonly IReadOnlyList<ProviderModule> BuiltIn =
    [
        new WhopModule(),
        new ChargebeeModule(),
    ];

    private static readonly Lock Gate = new();
    private static IReadOnlyList<ProviderModule> _modules = BuiltIn;

    /// <summary>Every provider known now: the built-in ones and any registered since (a test's own provider).</summary>
    public static IReadOnlyList<ProviderModule> All => Volatile.Read(ref _modules);

    /// <summary>The account types jobs.json accepts, as an error message lists them.</summary>
    public static string Types => string.Join(", ", All.Select(m => m.Type));

    /// <summary>Adds a provider at run time; its type and its table must be new. Idempotent for the same module type.</summary>
    public static void Register(ProviderModule module)
    {
        lock (Gate)
        {
            var existing = All.FirstOrDefault(m => string.Equals(m.Type, module.Type, StringComparison.OrdinalIgnoreCase) || m.Table.Name == module.Table.Name);
            if (existing is not null)
            {
                if (existing.GetType() == module.GetType())
                {
                    return;
                }

                throw new InvalidOperationException($"provider type '{module.Type}' or its table {module.Table.Name} is already registered");
            }

            Volatile.Write(ref _modules, [.. All, module]);
        }
    }

    public static ProviderModule? Find(string type) =>
        All.FirstOrDefault(m => string.Equals(m.Type, type, StringComparison.OrdinalIgnoreCase));

    public static ProviderModule For(string type) => Find(type) ?? throw new InvalidOperationException($"unknown provider type '{type}'");

    /// <summary>The module whose rows live in <paramref name="table"/>.</summary>
    public static ProviderModule For(UsageTable table) => All.Single(m => m.Table == table);

    /// <summary>The usage table named <paramref name="name"/> (as the ledger and the command line name it).</summary>
    public static UsageTable? FindTable(string name) => All.FirstOrDefault(m => m.Table.Name == name)?.Table;

    public static UsageTable Table(string name) => FindTable(name) ?? throw new InvalidOperationException($"unknown usage table '{name}'");
}
