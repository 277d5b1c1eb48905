using UsageBatch.Providers;

namespace UsageBatch.Configuration;

/// <summary>
/// One provider account (jobs.json <c>providers.NAME</c>). Defaults in the README's configuration tables; the ones that differ by
/// provider are nullable here and resolved by the <c>Effective…</c> members.
/// </summary>
internal sealed class ProviderAccountOptions
{
    /// <summary>The provider's type: one of <see cref="ProviderRegistry"/>'s modules.</summary>
    public string Type { get; set; } = "";

    /// <summary>API root, e.g. <c>https://api.whop.com/api/v5</c>. Must be https unless it is a loopback address.</summary>
    public string? BaseUrl { get; set; }

    /// <summary>Chargebee only: the site name, giving <c>https://{site}.chargebee.com/api/v2</c> when <see cref="BaseUrl"/> is unset.</summary>
    public string? Site { get; set; }

    /// <summary>Name of the environment variable holding the API key. The key itself never appears in jobs.json.</summary>
    public string? ApiKeyEnv { get; set; }

    /// <summary>Shown next to amounts in reports (e.g. <c>USD</c>); never sent.</summary>
    public string? Currency { get; set; }

    public int? RequestsPerWindow { get; set; }

    public TimeSpan? Window { get; set; }

    /// <summary>Whop: how long the account is locked out after exceeding its limit.</summary>
    public TimeSpan? Lockout { get; set; }

    public int MaxInFlight { get; set; } = 4;

    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Sends that provably did not reach the provider are retried up to this many times per run.</summary>
    public int MaxAttempts { get; set; } = 5;

    /// <summary>Whop resolution: how far the provider's clock may lag ours when matching created_at.</summary>
    public TimeSpan ClockSkew { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>Decimal places the provider takes for quantities (Chargebee default 2; Whop default 10).</summary>
    public int? QuantityDecimals { get; set; }

    /// <summary>Whop: decimal places for amounts of variable billing items (default 2).</summary>
    public int? AmountDecimals { get; set; }

    /// <summary>Chargebee: sent as <c>chargebee-business-entity-id</c> on multi-entity sites.</summary>
    public string? BusinessEntityId { get; set; }

    /// <summary>Chargebee: any of <c>webhooks</c>, <c>emails</c>, <c>actions</c>, sent as <c>chargebee-event-*: all-disabled</c>.</summary>
    public List<string> Suppress { get; set; } = [];

    /// <summary>The first N sends of a run all failing with the same permanent code means a configuration problem: abort.</summary>
    public int AbortAfterSamePermanentErrors { get; set; } = 5;

    /// <summary>Chargebee: usages a subscription may hold over its lifetime (raise it only after Chargebee support has).</summary>
    public int UsageCap { get; set; } = 5000;

    /// <summary>
    /// A provider that invoices usage by term (Chargebee): how long the site keeps a renewal invoice pending, taking
    /// usage of the ended term, before it closes (its "close invoices" setting, at most 50 days; 0 when invoices close
    /// at once). Only `validate` reads it, to warn when a job's schedule would regularly send usage after that.
    /// </summary>
    public TimeSpan? PendingInvoiceWindow { get; set; }

    /// <summary>The provider this account is (by <see cref="Type"/>); configuration validation refuses an unknown type first.</summary>
    public ProviderModule Module => ProviderRegistry.For(Type);

    public int EffectiveRequestsPerWindow => RequestsPerWindow ?? Module.Defaults.RequestsPerWindow;

    public TimeSpan EffectiveWindow => Window ?? Module.Defaults.Window;

    public TimeSpan EffectiveLockout => Lockout ?? Module.Defaults.Lockout;

    public int EffectiveQuantityDecimals => QuantityDecimals ?? Module.Defaults.QuantityDecimals;

    public int EffectiveAmountDecimals => AmountDecimals ?? 2;

    public string EffectiveBaseUrl => BaseUrl ?? Module.DefaultBaseUrl(this);
}
