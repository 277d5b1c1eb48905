namespace UsageBatch.Billing;

/// <summary>The facts of one run, written to ub_run.summary_json and to the run's JSON summary file.</summary>
internal sealed class RunSummary
{
    public long RunId { get; set; }
    public string Job { get; set; } = "";
    public string ProviderAccount { get; set; } = "";
    public string Provider { get; set; } = "";
    public bool DryRun { get; set; }
    public DateTimeOffset ScheduledAt { get; set; }
    public DateTimeOffset Cutoff { get; set; }
    public DateTimeOffset StartedAt { get; set; }
    public DateTimeOffset? FinishedAt { get; set; }
    public RunOutcome Outcome { get; set; } = RunOutcome.Running;
    public int ExitCode { get; set; }
    public string? Message { get; set; }

    /// <summary>
    /// Set when the job expects usage (expectUsageWithin) and the usage table's newest row is older than that: one line
    /// naming the table and its newest occurred_at. Silence upstream is not success.
    /// </summary>
    public string? Stale { get; set; }

    /// <summary>The usage table's newest occurred_at when the run ended (any status), when the job checks freshness.</summary>
    public DateTimeOffset? NewestUsageAt { get; set; }

    /// <summary>How many earlier billing runs the silent-customer list looked back over (the job's silentCustomerRuns then).</summary>
    public int? SilentCustomerRuns { get; set; }
    public int RowsValidated { get; set; }
    public int RowsRejectedByValidation { get; set; }
    public int RowsHeldRequeued { get; set; }
    public int Groups { get; set; }
    public int Recovered { get; set; }

    /// <summary>Final submissions another run finished without a report of them, carried by this run's report.</summary>
    public int Carried { get; set; }
    public int Confirmed { get; set; }
    public int Zero { get; set; }
    public int Rejected { get; set; }
    public int Held { get; set; }
    public int Released { get; set; }
    public int Voided { get; set; }
    public int Unresolved { get; set; }
    public int RowsBilled { get; set; }
    public decimal BilledTotal { get; set; }
    public decimal EchoedTotal { get; set; }

    /// <summary>Billed values per kind (<c>amount</c>: money in <see cref="Currency"/>; <c>quantity</c>: units), which
    /// the terminal shows apart: the control sums above add money and units together and only compare equal.</summary>
    public SortedDictionary<string, decimal> BilledByKind { get; set; } = new(StringComparer.Ordinal);

    public SortedDictionary<string, decimal> EchoedByKind { get; set; } = new(StringComparer.Ordinal);
    public int ProviderCalls { get; set; }

    /// <summary>Rows of the groups this run rejected / held (validation's and re-queued rows are counted above).</summary>
    public int RowsRejected { get; set; }

    public int RowsHeld { get; set; }

    /// <summary>
    /// This run's provider traffic: the collector <see cref="Cli.JobRunner"/> began for the run when there is one (so the
    /// summary written at the end holds what the senders counted), else an empty one.
    /// </summary>
    public Metrics.ProviderRequestStats ProviderRequests { get; set; } = Metrics.ProviderRequestStats.Current ?? new();

    /// <summary>The account's currency for amounts, recorded so the run's report never depends on later configuration.</summary>
    public string? Currency { get; set; }

    /// <summary>Chargebee cap limits in force for this run (for the report's cap warnings).</summary>
    public int? CapWarnAt { get; set; }

    public int? UsageCap { get; set; }
    public List<PlannedSubmission> Planned { get; set; } = [];

    /// <summary>A dry run's single rows: each it would reject or hold, with the reason the run would record.</summary>
    public List<PlannedRow> PlannedRows { get; set; } = [];

    private readonly object _gate = new();

    public void CountProviderCall()
    {
        lock (_gate)
        {
            ProviderCalls++;
        }
    }

    /// <summary>Counts one submission's final state (thread-safe: senders finish in parallel).</summary>
    public void Tally(SubmissionStatus status, int rows, decimal total, decimal? echoed, string valueKind = "quantity")
    {
        lock (_gate)
        {
            switch (status)
            {
                case SubmissionStatus.Confirmed:
                    Confirmed++;
                    RowsBilled += rows;
                    BilledTotal += total;
                    EchoedTotal += echoed ?? 0m;
                    BilledByKind[valueKind] = BilledByKind.GetValueOrDefault(valueKind) + total;
                    EchoedByKind[valueKind] = EchoedByKind.GetValueOrDefault(valueKind) + (echoed ?? 0m);
                    break;
                case SubmissionStatus.Zero:
                    Zero++;
                    RowsBilled += rows;
                    break;
                case SubmissionStatus.Rejected:
                    Rejected++;
                    RowsRejected += rows;
                    break;
                case SubmissionStatus.Held:
                    Held++;
                    RowsHeld += rows;
                    break;
                case SubmissionStatus.Released: Released++; break;
                case SubmissionStatus.Void: Voided++; break;
                default: Unresolved++; break;
            }
        }
    }

    /// <summary>Whether anything in this run needs a person (exit code 1).</summary>
    public bool NeedsAttention =>
        RowsRejectedByValidation + RowsHeldRequeued + Rejected + Held + Released + Unresolved > 0 || Stale is not null;

    public sealed record PlannedRow(string Decision, long RowId, string? SourceKey, string Reason);

    public sealed record PlannedSubmission(string Target, int Rows, decimal Total, string Decision, string? Reason, string ValueKind = "quantity");
}
