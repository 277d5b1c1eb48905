using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using UsageBatch.Billing;
using UsageBatch.Metrics;

namespace UsageBatch.Tests.Metrics;

public sealed class UsageMetricsTests
{
    private static (MeterListener Listener, ConcurrentQueue<(string Name, double Value, Dictionary<string, object?> Tags)> Seen) Listen()
    {
        var seen = new ConcurrentQueue<(string, double, Dictionary<string, object?>)>();
        var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == UsageMetrics.MeterName)
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((i, v, tags, _) => seen.Enqueue((i.Name, v, tags.ToArray().ToDictionary(t => t.Key, t => t.Value))));
        listener.SetMeasurementEventCallback<double>((i, v, tags, _) => seen.Enqueue((i.Name, v, tags.ToArray().ToDictionary(t => t.Key, t => t.Value))));
        listener.Start();
        return (listener, seen);
    }

    [Fact]
    public void RunFinished_RecordsOutcomeDurationRowsAndSubmissionsByJob()
    {
        var (listener, seen) = Listen();
        using var _ = listener;
        var start = new DateTimeOffset(2026, 1, 15, 3, 0, 0, TimeSpan.Zero);

        UsageMetrics.RunFinished(new RunSummary
        {
            Job = "metrics-test-job", Outcome = RunOutcome.Attention, StartedAt = start, FinishedAt = start.AddSeconds(42),
            RowsBilled = 10, RowsRejectedByValidation = 2, RowsRejected = 3, RowsHeld = 4, Confirmed = 5, Held = 1,
        });

        var mine = seen.Where(m => Equals(m.Tags.GetValueOrDefault("job"), "metrics-test-job")).ToList();
        Assert.Contains(mine, m => m is { Name: "usagebatch.runs", Value: 1 } && Equals(m.Tags["outcome"], "attention"));
        Assert.Contains(mine, m => m is { Name: "usagebatch.run.duration", Value: 42 });
        Assert.Contains(mine, m => m is { Name: "usagebatch.rows", Value: 10 } && Equals(m.Tags["state"], "billed"));
        Assert.Contains(mine, m => m is { Name: "usagebatch.rows", Value: 5 } && Equals(m.Tags["state"], "rejected"));
        Assert.Contains(mine, m => m is { Name: "usagebatch.rows", Value: 4 } && Equals(m.Tags["state"], "held"));
        Assert.Contains(mine, m => m is { Name: "usagebatch.submissions", Value: 5 } && Equals(m.Tags["outcome"], "confirmed"));
        Assert.Contains(mine, m => m is { Name: "usagebatch.submissions", Value: 1 } && Equals(m.Tags["outcome"], "held"));
    }

    [Fact]
    public async Task ProviderRequests_InsideARun_CountedForThatRunsSummaryOnly()
    {
        var (listener, seen) = Listen();
        using var _ = listener;
        RunSummary? summary = null;
        ProviderRequestStats? stats = null;

        await Task.Run(() =>
        {
            stats = ProviderRequestStats.Begin();
            summary = new RunSummary();
            UsageMetrics.ProviderRequest("metrics-test", 201, TimeSpan.FromMilliseconds(80));
            UsageMetrics.ProviderRequest("metrics-test", 429, TimeSpan.FromMilliseconds(20));
            UsageMetrics.ThrottlePause("metrics-test", TimeSpan.FromSeconds(2));
        });
        var outside = new RunSummary();

        Assert.Same(stats, summary!.ProviderRequests);
        Assert.Equal((2L, 1L, 1L, 1L, 2.0), (stats!.Requests, stats.ByStatus["201"], stats.ByStatus["429"], stats.ThrottlePauses, stats.ThrottlePausedSeconds));
        Assert.Equal(0.08, stats.LatencySecondsMax, 3);
        Assert.Equal(0, outside.ProviderRequests.Requests);
        Assert.Contains(seen, m => m is { Name: "usagebatch.provider.requests", Value: 1 } && Equals(m.Tags["status"], "429") && Equals(m.Tags["provider"], "metrics-test"));
        Assert.Contains(seen, m => m is { Name: "usagebatch.provider.throttle.pauses", Value: 1 } && Equals(m.Tags["provider"], "metrics-test"));
    }
}
