using System.Globalization;
using Dapper;
using UsageBatch.Billing;
using UsageBatch.Configuration;
using UsageBatch.Providers;
using UsageBatch.Reports;
using UsageBatch.Storage;
using UsageBatch.Storage.Sqlite;
using UsageBatch.Tests.TestSupport;

namespace UsageBatch.Tests.Providers.Meter;

/// <summary>
/// The proof that a provider is one folder plus one registration: <see cref="MeterModule"/>, which the product has
/// never heard of, goes through a billing run, a crash and the recovery, an unknown outcome, and the report, on both
/// claim plans, with the same guarantees as the built-in providers (every valid row billed once, one provider event
/// per group whose value is the rows' sum, every bad row rejected with its reason, every submission in the report).
/// </summary>
public sealed class ThirdProviderTests
{
    static ThirdProviderTests() => ProviderRegistry.Register(MeterModule.Instance);

    private static readonly string[] Customers = ["cus_A", "cus_B", "cus_C"];
    private static readonly string[] Meters = ["api calls", "storage GB"];

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Run_KilledAfterTheProviderRecorded_RecoveryBillsEachGroupOnce_AndTheReportShowsAll(bool groupBatches)
    {
        await using var h = await StartAsync(groupBatches ? SqlitePlan.GroupBatches : SqlitePlan.Passes);
        var expected = await SeedAsync(h);
        var (job, account) = JobAndAccount();
        // Run 1: the provider records the second event, then the run dies before its ledger knows.
        var crashing = new CrashingStore(h.Store, nameof(IBillingStore.RecordOutcomeAsync), 2);
        await h.Run(job, account, store: crashing).ExecuteAsync(DateTimeOffset.UtcNow, CancellationToken.None);
        Assert.True(crashing.Crashed);

        var later = h.PassTime(job.LeaseDuration + TimeSpan.FromMinutes(1));
        var recovery = await h.Run(job, account, later).ExecuteAsync(later.GetUtcNow(), CancellationToken.None);

        Assert.True(recovery.ExitCode == ExitCodes.Ok, System.Text.Json.JsonSerializer.Serialize(recovery));
        await AssertBilledOnceAsync(h, account, expected);
        // The row without a meter was rejected by run 1's validation, with its reason on the row and in the ledger.
        Assert.Equal("meter_name is missing", await h.ScalarAsync<string>("SELECT billing_error FROM meter_usage WHERE source_key = 'bad-meter'"));
        Assert.Equal("meter_name is missing", await h.ScalarAsync<string>(
            "SELECT reason FROM ub_row_exception WHERE usage_table = 'meter_usage' AND source_key = 'bad-meter' AND kind = 'rejected' AND run_id = 1"));

        var report = (await new RunReportBuilder(h.Store, new ReportDefaults("EUR")).BuildAsync(recovery.RunId, CancellationToken.None))!;
        Assert.Equal("meter", report.Run.Provider);
        var control = Assert.Single(report.ControlCheck);
        Assert.True(control.Passed);
        Assert.Equal(expected.Values.Sum(), control.BilledTotal);
        Assert.Equal(expected.Count, control.Submissions);
        Assert.Contains(report.Submissions, s => s.FinishedForRun == 1);
        Assert.All(report.Submissions, s => Assert.Equal(SubmissionStatus.Confirmed, s.State));
        var html = RunReportHtml.Render(report);
        Assert.Contains("Meter", html, StringComparison.Ordinal);
        Assert.Contains("storage GB", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_AnswerLost_SendsTheSameIdAgain_AndTheProviderKeepsOneEvent()
    {
        await using var h = await StartAsync(SqlitePlan.Passes);
        var expected = await SeedAsync(h);
        var (job, account) = JobAndAccount();
        MeterService.At(account.BaseUrl!).LoseAnswerOfPost = 3;

        var first = await h.Run(job, account).ExecuteAsync(DateTimeOffset.UtcNow, CancellationToken.None);
        var later = h.PassTime(TimeSpan.FromMinutes(1));
        await h.Run(job, account, later).ExecuteAsync(later.GetUtcNow(), CancellationToken.None);

        Assert.True(first.Confirmed >= expected.Count - 1, System.Text.Json.JsonSerializer.Serialize(first));
        await AssertBilledOnceAsync(h, account, expected);
        Assert.Equal(expected.Count + 1, MeterService.At(account.BaseUrl!).Posts);
    }

    [Fact]
    public void Registry_KnowsTheModuleByTypeAndTable()
    {
        Assert.Same(MeterModule.Instance, ProviderRegistry.For("meter"));
        Assert.Same(MeterModule.Usage, ProviderRegistry.Table("meter_usage"));
        Assert.Contains("meter", ProviderRegistry.Types, StringComparison.Ordinal);
        // A second provider may not take its type or its table.
        Assert.Throws<InvalidOperationException>(() => ProviderRegistry.Register(new ClashingModule()));
    }

    private static async Task<BillingHarness> StartAsync(SqlitePlan plan)
    {
        var h = await BillingHarness.StartAsync(plan: plan);
        await using var connection = await h.Database.OpenAsync(CancellationToken.None);
        await connection.ExecuteAsync(MeterModule.CreateTableSql);
        return h;
    }

    private static (JobOptions Job, ProviderAccountOptions Account) JobAndAccount()
    {
        var job = new JobOptions { Name = "meter-test", Provider = "meter", Cron = "0 0 3 * * ?", SettleDelay = TimeSpan.FromHours(1) };
        var account = new ProviderAccountOptions
        {
            Type = "meter", BaseUrl = $"https://meter.invalid/{Guid.NewGuid():N}", ApiKeyEnv = "TEST_KEY",
            Timeout = TimeSpan.FromSeconds(5), MaxAttempts = 2,
        };
        return (job, account);
    }

    /// <summary>Six groups of rows (values with decimals, interleaved as a DBA inserts by time) and one row without a meter.</summary>
    private static async Task<Dictionary<(string, string), decimal>> SeedAsync(BillingHarness h)
    {
        var expected = new Dictionary<(string, string), decimal>();
        await using var connection = await h.Database.OpenAsync(CancellationToken.None);
        var n = 0;
        for (var i = 0; i < 5; i++)
        {
            foreach (var customer in Customers)
            {
                foreach (var meter in Meters)
                {
                    var value = $"{i + 1}.125";
                    await connection.ExecuteAsync(
                        "INSERT INTO meter_usage (source_key, customer_id, meter_name, value, occurred_at) VALUES (@Key, @Customer, @Meter, @Value, @At)",
                        new { Key = $"m{n}", Customer = customer, Meter = meter, Value = value, At = BillingHarness.Earlier(n++) });
                    expected[(customer, meter)] = expected.GetValueOrDefault((customer, meter)) + decimal.Parse(value, CultureInfo.InvariantCulture);
                }
            }
        }

        await connection.ExecuteAsync(
            "INSERT INTO meter_usage (source_key, customer_id, meter_name, value, occurred_at) VALUES ('bad-meter', 'cus_A', NULL, '1', @At)",
            new { At = BillingHarness.Earlier(n) });
        return expected;
    }

    private static async Task AssertBilledOnceAsync(BillingHarness h, ProviderAccountOptions account, Dictionary<(string, string), decimal> expected)
    {
        var events = MeterService.At(account.BaseUrl!).Events;
        Assert.Equal(expected.Count, events.Count);
        foreach (var ((customer, meter), total) in expected)
        {
            var e = Assert.Single(events, e => e.Target.CustomerId == customer && e.Target.ItemId == meter);
            Assert.Equal(total, e.Value);
            Assert.Equal(("customer_id", "meter_name", "value"), (e.Target.CustomerField, e.Target.ItemField, e.Target.ValueField));
        }

        await using var connection = await h.Database.OpenAsync(CancellationToken.None);
        var rows = (await connection.QueryAsync<(string Key, string Status, string? UsageId, string? Receipt, string Value)>(
            "SELECT source_key, billing_status, provider_usage_id, provider_receipt_id, value FROM meter_usage WHERE source_key <> 'bad-meter'")).ToList();
        Assert.All(rows, r => Assert.Equal("billed", r.Status));
        var byEvent = rows.GroupBy(r => r.UsageId!).ToDictionary(g => g.Key, g => g.Sum(r => decimal.Parse(r.Value, CultureInfo.InvariantCulture)));
        Assert.Equal(events.Count, byEvent.Count);
        Assert.All(events, e => Assert.Equal(e.Value, byEvent[e.Id]));
        Assert.All(rows, r => Assert.Equal("rcpt_" + r.UsageId, r.Receipt));
    }

    private sealed class ClashingModule : ProviderModule
    {
        public override string Type => "other";

        public override string DisplayName => "Other";

        public override UsageBatch.Storage.UsageTable Table => MeterModule.Usage;

        public override ProviderCapabilities Capabilities => MeterModule.Instance.Capabilities;

        public override ProviderAccountDefaults Defaults => MeterModule.Instance.Defaults;

        public override ProviderReportTerms ReportTerms => MeterModule.Instance.ReportTerms;

        public override string DefaultBaseUrl(ProviderAccountOptions account) => "";

        public override string? CheckRow(UsageBatch.Usage.UsageRow row, UsageBatch.Usage.ValidationRules rules) => null;

        public override GroupDecision Decide(ClaimedGroup group, GroupFacts facts, ProviderAccountOptions account, decimal total, DateTimeOffset? usageDate) =>
            new(SubmissionStatus.Prepared, null, null);

        public override IUsageProvider CreateClient(ProviderHttp http, string accountName, ProviderAccountOptions account, UsageBatch.Providers.Pacing.Backoff backoff) =>
            throw new NotSupportedException();
    }
}
