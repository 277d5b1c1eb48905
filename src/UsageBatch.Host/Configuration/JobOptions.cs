namespace UsageBatch.Configuration;

/// <summary>One scheduled job (jobs.json <c>jobs[i]</c>): one provider account, one usage table.</summary>
internal sealed class JobOptions
{
    public string Name { get; set; } = "";

    /// <summary>The provider account's name under <c>providers</c>.</summary>
    public string Provider { get; set; } = "";

    /// <summary>Quartz cron (6/7 fields) or 5-field Unix cron.</summary>
    public string Cron { get; set; } = "";

    /// <summary>IANA time zone the cron is read in.</summary>
    public string TimeZone { get; set; } = "Etc/UTC";

    /// <summary><c>catchUpOnce</c> (run once after downtime) or <c>skip</c>.</summary>
    public string Misfire { get; set; } = "catchUpOnce";

    /// <summary>Rows newer than the run's scheduled time minus this wait for a later run (late-arriving usage).</summary>
    public TimeSpan SettleDelay { get; set; } = TimeSpan.FromHours(1);

    /// <summary>Chargebee grouping bucket: <c>hour</c>, <c>day</c> or <c>month</c>.</summary>
    public string Bucket { get; set; } = "day";

    /// <summary>Rows per claim/settle statement on SQL Server; at most <see cref="Storage.SqlServer.SqlServerLocking.MaxRowsPerStatement"/>,
    /// under the 5,000-lock escalation threshold on every index. (SQLite claims in passes of its own size.)</summary>
    public int BatchSize { get; set; } = Storage.SqlServer.SqlServerLocking.MaxRowsPerStatement;

    public TimeSpan LeaseDuration { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// Slack a send keeps between the end of its request's timeout and the end of the lease: 10 s, or a quarter of
    /// the lease when that is shorter (short leases in tests). The validator and the sender use the same margin.
    /// </summary>
    public TimeSpan LeaseMargin => TimeSpan.FromTicks(Math.Min(TimeSpan.FromSeconds(10).Ticks, LeaseDuration.Ticks / 4));

    public decimal? MaxQuantityPerSubmission { get; set; }

    public decimal? MaxAmountPerSubmission { get; set; }

    /// <summary>Chargebee: warn in the report once a subscription has this many usages.</summary>
    public int CapWarnAt { get; set; } = 4000;

    /// <summary>Rows older than this before the cutoff are rejected as implausible (a mistyped year must not bill).</summary>
    public TimeSpan MaxAge { get; set; } = TimeSpan.FromDays(366);

    public bool Enabled { get; set; } = true;

    /// <summary>Health: the job is Degraded when it has not completed a run for this long [its cron interval + 2 h].</summary>
    public TimeSpan? HealthyWithin { get; set; }

    /// <summary>Health: the job is Degraded while a pending row older than this exists [not checked].</summary>
    public TimeSpan? MaxPendingAge { get; set; }

    /// <summary>
    /// A group dated in a term the provider has already invoiced for good: <c>hold</c> [default], <c>currentTerm</c>
    /// (re-dated into the current term and sent) or <c>send</c> (sent as dated). See <see cref="Billing.LateUsagePolicy"/>.
    /// </summary>
    public string LateUsage { get; set; } = "hold";

    /// <summary>
    /// Freshness: a run ends attention (exit 1) when the usage table's newest row (any status) is older than this, and
    /// the console's job check turns Degraded [not checked]. An upstream load that stopped must not look like a quiet night.
    /// </summary>
    public TimeSpan? ExpectUsageWithin { get; set; }

    /// <summary>The run report lists customers billed in each of the job's previous this-many billing runs and silent in this one [7]; 0 turns it off.</summary>
    public int SilentCustomerRuns { get; set; } = 7;

    /// <summary>The parsed <see cref="LateUsage"/> (configuration validation refuses any other spelling first).</summary>
    public Billing.LateUsagePolicy LateUsagePolicy => Billing.LateUsagePolicies.ByName[LateUsage];
}
