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

    public override UsageTable Table => UsageTable.Whop;

    public override ProviderCapabilities Capabilities { get; } = new(
        UnknownOutcomeResolution.ListAndMatch, UsesDateBuckets: false, ReconcileDating.SentAt, ReconcileListing.PerCustomerAndItem,
        InvoicesByTerm: false, LifetimeUsageCap: false, ChargesByPayment: true);

    public override ProviderReportTerms ReportTerms { get; } = new("Customer", "Item", QualifiedIds: true, "Receipt id", "charged", "receipt");

    // Whop: 20 requests per 10 s, then a minute locked out (the provider's API docs); 18 leaves headroom.
    public override ProviderAccountDefaults Defaults { get; } = new(18, TimeSpan.FromSeconds(10), TimeSpan.FromMinutes(1), QuantityDecimals: 10);

    public override string DefaultBaseUrl(ProviderAccountOptions account) => "https://api.whop.com/api/v5";

    public override string? CheckRow(UsageRow row, ValidationRules rules) => WhopRowRules.Check(row, rules);

    /// <summary>The customer and item fields a row carries (membership before company, billing item id before its identifier).</summary>
    public override SubmissionTarget TargetOf(UsageRow row) => new(
        row.MembershipId is not null ? "membership_id" : "company_id", row.MembershipId ?? row.CompanyId ?? "",
        row.BillingItemId is not null ? "billing_item_id" : "billing_item_identifier", row.BillingItemId ?? row.BillingItemIdentifier ?? "",
        row.Amount is not null ? "amount" : "quantity");

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
