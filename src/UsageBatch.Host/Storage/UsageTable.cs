using UsageBatch.Providers;

namespace UsageBatch.Storage;

/// <summary>The usage table a provider's rows live in (same name in every dialect). Never built from input.</summary>
internal sealed record UsageTable(string Name, ProviderKind Provider)
{
    public static readonly UsageTable Whop = new("whop_usage", ProviderKind.Whop);
    public static readonly UsageTable Chargebee = new("chargebee_usage", ProviderKind.Chargebee);

    public static UsageTable For(ProviderKind provider) => provider == ProviderKind.Whop ? Whop : Chargebee;

    public static UsageTable Parse(string name) => name switch
    {
        "whop_usage" => Whop,
        "chargebee_usage" => Chargebee,
        _ => throw new InvalidOperationException($"unknown usage table '{name}'"),
    };
}
