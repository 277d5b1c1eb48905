using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Globalization;
using UsageBatch.Billing;

namespace UsageBatch.Metrics;

/// <summary>
/// The job's instruments (System.Diagnostics.Metrics, meter <see cref="MeterName"/>). Process-wide on purpose: a
/// meter costs nothing until a listener (the console's OpenTelemetry exporters, a test's MeterListener) subscribes,
/// and every run in the process reports to the same instruments whoever started it (scheduler, run now, `run`).
/// </summary>
internal static class UsageMetrics
{
    public const string MeterName = "UsageBatch";

    private static readonly Meter Meter = new(MeterName, "1.0");
    private static readonly Counter<long> Runs = Meter.CreateCounter<long>("usagebatch.runs", "{run}", "Runs finished, by job and outcome");
    // Buckets in seconds (the SDK's defaults are for milliseconds): runs take seconds to hours, requests milliseconds to the 30 s timeout.
    private static readonly Histogram<double> RunDuration = Meter.CreateHistogram("usagebatch.run.duration", "s", "Run duration, by job and outcome",
        tags: null, advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [1, 5, 15, 30, 60, 120, 300, 600, 1800, 3600, 7200] });
    private static readonly Counter<long> Rows = Meter.CreateCounter<long>("usagebatch.rows", "{row}", "Usage rows a run billed, rejected or held, by job and state");
    private static readonly Counter<long> Submissions = Meter.CreateCounter<long>("usagebatch.submissions", "{submission}", "Submissions finished, by job and outcome");
    private static readonly Counter<long> Requests = Meter.CreateCounter<long>("usagebatch.provider.requests", "{request}", "Provider HTTP requests, by provider and status (0: no response)");
    private static readonly Histogram<double> RequestDuration = Meter.CreateHistogram("usagebatch.provider.request.duration", "s", "Provider request latency, by provider and status",
        tags: null, advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30] });
    private static readonly Counter<long> ThrottlePauses = Meter.CreateCounter<long>("usagebatch.provider.throttle.pauses", "{pause}", "Times a provider paused after a 429");

    /// <summary>One HTTP exchange with a provider (every attempt, retries included).</summary>
    public static void ProviderRequest(string provider, int status, TimeSpan latency)
    {
        var statusText = status.ToString(CultureInfo.InvariantCulture);
        var tags = new TagList { { "provider", provider }, { "status", statusText } };
        Requests.Add(1, tags);
        RequestDuration.Record(latency.TotalSeconds, tags);
        ProviderRequestStats.Current?.Request(statusText, latency);
    }

    /// <summary>The account paused for <paramref name="pause"/> after being throttled.</summary>
    public static void ThrottlePause(string provider, TimeSpan pause)
    {
        ThrottlePauses.Add(1, new KeyValuePair<string, object?>("provider", provider));
        ProviderRequestStats.Current?.Throttled(pause);
    }

    /// <summary>A finished (not dry) run: its outcome, duration, rows and submissions, from its summary.</summary>
    public static void RunFinished(RunSummary summary)
    {
        var job = new KeyValuePair<string, object?>("job", summary.Job);
        var outcome = new KeyValuePair<string, object?>("outcome", RunOutcomeText.ToText(summary.Outcome));
        Runs.Add(1, job, outcome);
        if (summary.FinishedAt is { } finished)
        {
            RunDuration.Record((finished - summary.StartedAt).TotalSeconds, job, outcome);
        }

        AddRows(job, "billed", summary.RowsBilled);
        AddRows(job, "rejected", summary.RowsRejectedByValidation + summary.RowsRejected);
        AddRows(job, "held", summary.RowsHeldRequeued + summary.RowsHeld);
        foreach (var (name, count) in SubmissionCounts(summary))
        {
            if (count > 0)
            {
                Submissions.Add(count, job, new KeyValuePair<string, object?>("outcome", name));
            }
        }
    }

    public static IEnumerable<(string Outcome, int Count)> SubmissionCounts(RunSummary s) =>
    [
        (Text(SubmissionStatus.Confirmed), s.Confirmed), (Text(SubmissionStatus.Zero), s.Zero), (Text(SubmissionStatus.Rejected), s.Rejected),
        (Text(SubmissionStatus.Held), s.Held), (Text(SubmissionStatus.Released), s.Released), (Text(SubmissionStatus.Void), s.Voided), ("unresolved", s.Unresolved),
    ];

    private static string Text(SubmissionStatus status) => SubmissionStatusText.ToText(status);

    private static void AddRows(KeyValuePair<string, object?> job, string state, int rows)
    {
        if (rows > 0)
        {
            Rows.Add(rows, job, new KeyValuePair<string, object?>("state", state));
        }
    }
}
