using UsageBatch.Billing;
using UsageBatch.Configuration;
using UsageBatch.Providers;
using UsageBatch.Providers.Pacing;
using UsageBatch.Storage;
using UsageBatch.Usage;
using static UsageBatch.Usage.UsageRowValidator;

namespace UsageBatch.Tests.Providers.Meter;

/// <summary>
/// A third provider that exists only in the tests: a meter-events API (as Stripe's, Lago's or Orb's) with its own
/// table (meter_usage: customer_id, meter_name, value), its own rules and an in-memory client. It is everything a new
/// provider brings (this folder, plus one registration), and the core runs it without knowing it.
/// </summary>
internal sealed class MeterModule : ProviderModule
{
    public static readonly MeterModule Instance = new();

    public static readonly UsageTable Usage = new("meter_usage",
        new KeyColumns(new UsageColumn("customer_id", UsageColumnKind.Id)),
        new KeyColumns(new UsageColumn("meter_name", UsageColumnKind.Text)),
        new KeyColumns(new UsageColumn("value", UsageColumnKind.Decimal)),
        dateBuckets: false);

    /// <summary>What a DBA runs to create the table (the job's columns, as every usage table has them, and the provider's).</summary>
    public const string CreateTableSql = """
        CREATE TABLE meter_usage (
            id                    INTEGER PRIMARY KEY,
            source_key            TEXT    NOT NULL UNIQUE,
            customer_id           TEXT,
            meter_name            TEXT,
            value                 TEXT,
            occurred_at           TEXT,
            billing_status        TEXT    NOT NULL DEFAULT 'pending'
                                          CHECK (billing_status IN ('pending', 'claimed', 'billed', 'rejected', 'held')),
            billing_run_id        INTEGER,
            billing_submission_id INTEGER,
            provider_usage_id     TEXT,
            provider_receipt_id   TEXT,
            billed_at             TEXT,
            billing_attempts      INTEGER NOT NULL DEFAULT 0,
            billing_error         TEXT
        );
        CREATE INDEX ix_meter_usage_pending ON meter_usage (customer_id, meter_name, occurred_at) WHERE billing_status = 'pending';
        CREATE INDEX ix_meter_usage_submission ON meter_usage (billing_submission_id);
        CREATE INDEX ix_meter_usage_occurred ON meter_usage (occurred_at);
        """;

    public override string Type => "meter";

    public override string DisplayName => "Meter";

    public override UsageTable Table => Usage;

    // Meter events carry our id (an unknown outcome is sent again with it), are listed over a period, and are
    // charged on the provider's own schedule: nothing invoiced by term, no lifetime cap.
    public override ProviderCapabilities Capabilities { get; } = new(
        UnknownOutcomeResolution.SendSameIdAgain, ReconcileDating.SentAt, ReconcileListing.WholePeriod, InvoicesByTerm: false, LifetimeUsageCap: false);

    public override ProviderAccountDefaults Defaults { get; } = new(1000, TimeSpan.FromSeconds(1), TimeSpan.Zero, QuantityDecimals: 6);

    public override ProviderReportTerms ReportTerms { get; } = new("Customer", "Meter", QualifiedIds: false, "Receipt id", "charged", "receipt");

    public override string DefaultBaseUrl(ProviderAccountOptions account) => "https://meter.invalid/v1";

    public override string? CheckRow(UsageRow row, ValidationRules rules) =>
        CheckSourceKey(row.SourceKey)
        ?? (row["customer_id"] is null ? "customer_id is missing" : null)
        ?? (row["meter_name"] is null ? "meter_name is missing" : null)
        ?? (row["value"] is null ? "value is missing" : CheckValue(row, "value", rules.QuantityDecimals))
        ?? CheckOccurredAt(row, rules);

    public override GroupDecision Decide(ClaimedGroup group, GroupFacts facts, ProviderAccountOptions account, decimal total, DateTimeOffset? usageDate) =>
        new(SubmissionStatus.Prepared, null, null);

    /// <summary>The account's <c>baseUrl</c> names which in-memory meter service it talks to (one per test).</summary>
    public override IUsageProvider CreateClient(ProviderHttp http, string accountName, ProviderAccountOptions account, Backoff backoff) =>
        MeterService.At(account.BaseUrl!);
}
