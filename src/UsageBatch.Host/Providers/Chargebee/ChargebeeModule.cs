using RestSharp.Authenticators;
using UsageBatch.Billing;
using UsageBatch.Configuration;
using UsageBatch.Providers.Pacing;
using UsageBatch.Storage;
using UsageBatch.Usage;

namespace UsageBatch.Providers.Chargebee;

/// <summary>
/// Chargebee: a usage per (subscription, item price) and UTC bucket of occurred_at, dated inside its bucket, with a
/// client-assigned id (an unknown outcome is sent again with the same id), a lifetime cap of usages per
/// subscription, and invoiced by term.
/// </summary>
internal sealed class ChargebeeModule : ProviderModule
{
    /// <summary>Chargebee's limit on a usage's quantity, as text (the provider's API docs).</summary>
    private const int QuantityMaxLength = 40;

    public override string Type => "chargebee";

    public override string DisplayName => "Chargebee";

    /// <summary>chargebee_usage: a subscription, an item price and a quantity, grouped by the job's bucket of occurred_at.</summary>
    public static readonly UsageTable Usage = new("chargebee_usage",
        new KeyColumns(new UsageColumn("subscription_id", UsageColumnKind.Id)),
        new KeyColumns(new UsageColumn("item_price_id", UsageColumnKind.Id)),
        new KeyColumns(new UsageColumn("quantity", UsageColumnKind.Decimal)),
        dateBuckets: true, noteColumn: "note");

    public override UsageTable Table => Usage;

    public override ProviderCapabilities Capabilities { get; } = new(
        UnknownOutcomeResolution.SendSameIdAgain, ReconcileDating.UsageDate, ReconcileListing.WholePeriod,
        InvoicesByTerm: true, LifetimeUsageCap: true);

    public override ProviderReportTerms ReportTerms { get; } = new("Subscription", "Item price", QualifiedIds: false, "Invoice id", "invoiced", "invoice");

    // 150 requests a minute on a live site (the provider's API docs); 140 leaves headroom. No lockout: the limit
    // "resets after about a minute".
    public override ProviderAccountDefaults Defaults { get; } = new(140, TimeSpan.FromMinutes(1), TimeSpan.Zero, QuantityDecimals: 2);

    // ValidateAccount refuses an account with neither, before anything asks.
    public override string DefaultBaseUrl(ProviderAccountOptions account) =>
        string.IsNullOrEmpty(account.Site)
            ? throw new InvalidOperationException("a Chargebee account needs site (or baseUrl)")
            : $"https://{account.Site}.chargebee.com/api/v2";

    public override void ValidateAccount(string path, ProviderAccountOptions account, List<string> errors)
    {
        if (account.BaseUrl is null && string.IsNullOrWhiteSpace(account.Site))
        {
            errors.Add($"{path}.site: required for Chargebee unless baseUrl is set");
        }
    }

    public override string? CheckRow(UsageRow row, ValidationRules rules) => ChargebeeRowRules.Check(row, rules);

    /// <summary>
    /// One usage per (subscription, item price, usage_date): the group's last second, stepped back past the dates our
    /// ledger already used, never leaving the bucket.
    /// </summary>
    public override UsageDateChoice ChooseUsageDate(ClaimedGroup group, GroupFacts facts)
    {
        var date = UtcText.WholeSeconds(group.LastOccurredAt!.Value);
        while (facts.UsedUsageDates.Contains(date))
        {
            date = date.AddSeconds(-1);
        }

        return date < group.BucketStart
            ? new(null, $"every second of the bucket from {UtcText.Format(group.BucketStart!.Value)} already has a usage for this subscription and item price")
            : new(date, null);
    }

    public override GroupDecision Decide(ClaimedGroup group, GroupFacts facts, ProviderAccountOptions account, decimal total, DateTimeOffset? usageDate)
    {
        if (DecimalText.Format(total).Length > QuantityMaxLength)
        {
            return new(SubmissionStatus.Rejected, $"the group's quantity {DecimalText.Format(total)} is longer than Chargebee's {QuantityMaxLength} characters", null);
        }

        if (facts.UsagesCountedTowardCap + 1 > account.UsageCap)
        {
            return new(SubmissionStatus.Held,
                $"subscription {group.Target.CustomerId} already has {facts.UsagesCountedTowardCap} usages from this job; one more passes Chargebee's cap of {account.UsageCap}. Ask Chargebee to raise it, set usageCap, then requeue",
                usageDate);
        }

        return new(SubmissionStatus.Prepared, null, usageDate);
    }

    public override IUsageProvider CreateClient(ProviderHttp http, string accountName, ProviderAccountOptions account, Backoff backoff)
    {
        var logger = http.Logger<ChargebeeProvider>();
        // Chargebee's limit "resets after about a minute" (the provider's API docs): without Retry-After wait one window.
        var classifier = new ChargebeeResponseClassifier(account.EffectiveWindow, account.Timeout);
        var caller = new ProviderCaller(Type, http.Client(new HttpBasicAuthenticator(http.ApiKey, "")), http.Pacer(), http.Time, logger, backoff, http.Redactor(), classifier.ClassifyFailure);
        return new ChargebeeProvider(accountName, caller, account, backoff, logger);
    }
}
