using System.Diagnostics.Metrics;
using Microsoft.Extensions.Hosting;
using UsageBatch.Metrics;
using UsageBatch.OperatorConsole.Jobs;

namespace UsageBatch.OperatorConsole;

/// <summary>
/// Pending rows and the oldest pending row's age per job, as gauges on the UsageBatch meter. The callbacks read the
/// latest <see cref="JobStatusReader"/> reading (never the database at scrape time); this service refreshes it.
/// </summary>
internal sealed class ConsoleGauges : BackgroundService
{
    public static readonly TimeSpan Refresh = TimeSpan.FromSeconds(30);

    private readonly Meter _meter = new(UsageMetrics.MeterName, "1.0");
    private readonly JobStatusReader _reader;
    private readonly TimeProvider _time;
    private readonly Microsoft.Extensions.Logging.ILogger _logger;

    public ConsoleGauges(JobStatusReader reader, TimeProvider time, Microsoft.Extensions.Logging.ILogger<ConsoleGauges> logger)
    {
        _reader = reader;
        _time = time;
        _logger = logger;
        var now = time;
        _meter.CreateObservableGauge("usagebatch.rows.pending", () => (reader.Latest ?? []).Select(j =>
            new Measurement<long>(j.Counts.Pending + j.Counts.FutureDated, new KeyValuePair<string, object?>("job", j.Job.Name))), "{row}", "Pending usage rows (future-dated included), by job");
        _meter.CreateObservableGauge("usagebatch.rows.pending.oldest_age", () => (reader.Latest ?? []).Select(j =>
            new Measurement<double>(j.OldestPending is { } oldest ? Math.Max(0, (now.GetUtcNow() - oldest).TotalSeconds) : 0, new KeyValuePair<string, object?>("job", j.Job.Name))),
            "s", "Age of the oldest pending usage row, by job (0 when none is pending)");
        _meter.CreateObservableGauge("usagebatch.usage.newest_age", () => (reader.Latest ?? []).Where(j => j.Job.ExpectUsageWithin is not null && j.NewestUsage is not null).Select(j =>
            new Measurement<double>(Math.Max(0, (now.GetUtcNow() - j.NewestUsage!.Value).TotalSeconds), new KeyValuePair<string, object?>("job", j.Job.Name))),
            "s", "Age of the usage table's newest row (any status), by job, for jobs with expectUsageWithin");
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await _reader.ReadAsync(stoppingToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                // The gauges keep their last reading; readiness reports the database itself.
                Microsoft.Extensions.Logging.LoggerExtensions.LogWarning(_logger, ex, "Could not refresh the pending-row gauges");
            }

            try
            {
                await Task.Delay(Refresh, _time, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    public override void Dispose()
    {
        _meter.Dispose();
        base.Dispose();
    }
}
