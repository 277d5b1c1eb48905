using Microsoft.Extensions.Logging;
using UsageBatch.Billing;
using UsageBatch.Configuration;
using UsageBatch.Providers.Pacing;
using UsageBatch.Storage;
using UsageBatch.Usage;

namespace UsageBatch.Providers;

/// <summary>
/// Everything one billing provider owns, behind one contract: its account defaults and checks, its usage table and
/// row rules, its grouping key, its part of a group's decision, what it can do, and its client. The core asks a
/// module (found through <see cref="ProviderRegistry"/> by the account's <c>type</c>) and never names a provider.
/// </summary>
internal abstract class ProviderModule
{
    /// <summary>The account's <c>type</c> in jobs.json, lower case.</summary>
    public abstract string Type { get; }

    /// <summary>The provider's name as people write it (reports, logs).</summary>
    public abstract string DisplayName { get; }

    /// <summary>The usage table its rows live in.</summary>
    public abstract UsageTable Table { get; }

    public abstract ProviderCapabilities Capabilities { get; }

    public abstract ProviderAccountDefaults Defaults { get; }

    public abstract ProviderReportTerms ReportTerms { get; }

    /// <summary>The API root when the account sets no <c>baseUrl</c>.</summary>
    public abstract string DefaultBaseUrl(ProviderAccountOptions account);

    /// <summary>The provider's own account settings, each error naming its key under <paramref name="path"/>.</summary>
    public virtual void ValidateAccount(string path, ProviderAccountOptions account, List<string> errors)
    {
    }

    /// <summary>Null when a pending row can be billed; otherwise the reason, naming the column.</summary>
    public abstract string? CheckRow(UsageRow row, ValidationRules rules);

    /// <summary>Who and what a valid row bills: the grouping key, with the provider's own field names.</summary>
    public SubmissionTarget TargetOf(UsageRow row) => Table.TargetOf(row);

    /// <summary>Groups are split by a UTC bucket of occurred_at (hour, day, month) and carry a usage date.</summary>
    public bool UsesDateBuckets => Table.DateBuckets;

    /// <summary>
    /// The usage date a group is sent under, chosen before the job's limits so a held group keeps it reserved; null
    /// with a reason when the group can have none. Providers without usage dates answer <see cref="UsageDateChoice.None"/>.
    /// </summary>
    public virtual UsageDateChoice ChooseUsageDate(ClaimedGroup group, GroupFacts facts) => UsageDateChoice.None;

    /// <summary>The provider's last word on a group that passed the job's limits: prepared, or rejected or held with why.</summary>
    public abstract GroupDecision Decide(ClaimedGroup group, GroupFacts facts, ProviderAccountOptions account, decimal total, DateTimeOffset? usageDate);

    /// <summary>The client of one account (it owns its HTTP connections: dispose it after the run).</summary>
    public abstract IUsageProvider CreateClient(ProviderHttp http, string accountName, ProviderAccountOptions account, Backoff backoff);
}

/// <summary>A group's usage date, or why it cannot have one.</summary>
internal readonly record struct UsageDateChoice(DateTimeOffset? Date, string? HeldReason)
{
    public static readonly UsageDateChoice None = new(null, null);
}
