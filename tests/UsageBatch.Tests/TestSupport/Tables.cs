using UsageBatch.Providers.Chargebee;
using UsageBatch.Providers.Whop;

namespace UsageBatch.Storage;

/// <summary>The built-in usage tables by name, for tests.</summary>
internal static class Tables
{
    public static UsageTable Whop => WhopModule.Usage;

    public static UsageTable Chargebee => ChargebeeModule.Usage;
}
