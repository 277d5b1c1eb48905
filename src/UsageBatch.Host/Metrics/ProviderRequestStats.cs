using System.Text.Json.Serialization;

namespace UsageBatch.Metrics;

/// <summary>
/// One run's provider traffic, kept in its summary (ub_run.summary_json) so `run` from SQL Agent or cron leaves the
/// same figures the exporters see, and the console shows them per run. Collected for the run that is
/// <see cref="Current"/> in this async flow (the senders run inside it), so concurrent runs never mix.
/// </summary>
internal sealed class ProviderRequestStats
{
    private static readonly AsyncLocal<ProviderRequestStats?> Scope = new();
    private readonly Lock _gate = new();

    /// <summary>The run being collected in this async flow, if any.</summary>
    [JsonIgnore]
    public static ProviderRequestStats? Current => Scope.Value;

    /// <summary>Requests by HTTP status ("0": no response arrived).</summary>
    public SortedDictionary<string, long> ByStatus { get; set; } = new(StringComparer.Ordinal);

    public long Requests { get; set; }

    public double LatencySecondsTotal { get; set; }

    public double LatencySecondsMax { get; set; }

    public long ThrottlePauses { get; set; }

    public double ThrottlePausedSeconds { get; set; }

    /// <summary>Collects into a new instance for the rest of the calling async flow (one run).</summary>
    public static ProviderRequestStats Begin()
    {
        var stats = new ProviderRequestStats();
        Scope.Value = stats;
        return stats;
    }

    public void Request(string status, TimeSpan latency)
    {
        lock (_gate)
        {
            ByStatus[status] = ByStatus.GetValueOrDefault(status) + 1;
            Requests++;
            LatencySecondsTotal += latency.TotalSeconds;
            LatencySecondsMax = Math.Max(LatencySecondsMax, latency.TotalSeconds);
        }
    }

    public void Throttled(TimeSpan pause)
    {
        lock (_gate)
        {
            ThrottlePauses++;
            ThrottlePausedSeconds += Math.Max(0, pause.TotalSeconds);
        }
    }
}
