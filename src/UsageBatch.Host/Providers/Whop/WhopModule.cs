using RestSharp.Authenticators;
using UsageBatch.Billing;
using UsageBatch.Configuration;
using UsageBatch.Providers.Pacing;
using UsageBatch.Storage;
using UsageBatch.Usage;

namespace UsageBatch.Providers.Whop;

/// <summary>
/// Whop: a usage per (membership or company, billing item or its identifier), an amount or a quantity, no usage
/// date, no idempotency (an unknown outcome is listed and matched, never re-sent blind), and a receipt per payment.
/// </summary>
internal sealed class WhopModule : ProviderModule
{
    public override string Type => "whop";

    public override string DisplayName => "Whop";

    /// <summary>whop_usage: a membership or a company, a billing item or its identifier, an amount or a quantity.</summary>
    public static readonly UsageTable Usage = new("whop_usage",
        new KeyColumns(new UsageColumn("membership_id", UsageColumnKind.Id), new UsageColumn("company_id", UsageColumnKind.Id)),
        new KeyColumns(new UsageColumn("billing_item_id", UsageColumnKind.Id), new UsageColumn("billing_item_identifier", UsageColumnKind.Text)),
        new KeyColumns(new UsageColumn("amount", UsageColumnKind.Decimal), new UsageColumn("quantity", UsageColumnKind.Decimal)),
        dateBuckets: false);

    public override UsageTable Table => Usage;

    public override ProviderCapabilities Capabilities { get; } = new(
        UnknownOutcomeResolution.ListAndMatch, ReconcileDating.SentAt, ReconcileListing.PerCustomerAndItem,
        InvoicesByTerm: false, LifetimeUsageCap: false, ChargesByPayment: true);

    public override ProviderReportTerms ReportTerms { get; } = new("Customer", "Item", QualifiedIds: true, "Receipt id", "charged", "receipt");

    // Whop: 20 requests per 10 s, then a minute locked out (the provider's API docs); 18 leaves headroom.
    public override ProviderAccountDefaults Defaults { get; } = new(18, TimeSpan.FromSeconds(10), TimeSpan.FromMinutes(1), QuantityDecimals: 10);

    public override string DefaultBaseUrl(ProviderAccountOptions account) => "https://api.whop.com/api/v5";

    public override string? CheckRow(UsageRow row, ValidationRules rules) => WhopRowRules.Check(row, rules);

    public override GroupDecision Decide(ClaimedGroup group, GroupFacts facts, ProviderAccountOptions account, decimal total, DateTimeOffset? usageDate) =>
        DecimalText.SurvivesDouble(total)
            ? new(SubmissionStatus.Prepared, null, null)
            : new(SubmissionStatus.Rejected, WhopRowRules.TooPrecise($"the group's {group.Target.ValueField}", DecimalText.Format(total)), null);

    public override IUsageProvider CreateClient(ProviderHttp http, string accountName, ProviderAccountOptions account, Backoff backoff)
    {
        var logger = http.Logger<WhopProvider>();
        var classifier = new WhopResponseClassifier(account.EffectiveLockout, account.Timeout);
        var caller = new ProviderCaller(Type, http.Client(new JwtAuthenticator(http.ApiKey)), http.Pacer(), http.Time, logger, backoff, http.Redactor(), classifier.ClassifyFailure);
        return new WhopProvider(accountName, caller, account, logger);
    }
}
