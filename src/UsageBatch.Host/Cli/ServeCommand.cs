using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Serilog.Events;
using UsageBatch.Billing;
using UsageBatch.Configuration;
using UsageBatch.Hosting;

namespace UsageBatch.Cli;

/// <summary>`serve` (also the default verb): every enabled job on its cron until Ctrl+C / SIGTERM. Exits 0 on a clean stop, 2, 3.</summary>
internal static class ServeCommand
{
    public static async Task<int> RunAsync(string configPath, TextWriter error, Func<string, string?> environment, CancellationToken cancellationToken)
    {
        if (!Commands.TryLoad(configPath, environment, error, requireKeys: true, out var options))
        {
            return ExitCodes.BadConfiguration;
        }

        string? schedulerConnectionString;
        try
        {
            schedulerConnectionString = Composition.SchedulerConnectionString(options, environment);
        }
        catch (ConfigurationException ex)
        {
            await error.WriteLineAsync(ex.Message);
            return ExitCodes.BadConfiguration;
        }

        using var logger = Logging.CreateLogger(options.Logging, LogEventLevel.Information);
        var store = Composition.CreateStore(options, environment);
        try
        {
            await store.EnsureSchemaAsync(cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException and not ConfigurationException)
        {
            logger.Error(ex, "Database unavailable at start");
            await error.WriteLineAsync($"usagebatch: database unavailable: {ex.Message}");
            return ExitCodes.Aborted;
        }

        using var host = ServeHost.Build(options, store, schedulerConnectionString, logger,
            loggers => new JobRunner(options, store, environment, TimeProvider.System, loggers));
        try
        {
            await host.StartAsync(cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return ExitCodes.Ok;
        }
        catch (Exception ex)
        {
            logger.Error(ex, "The scheduler could not start");
            await error.WriteLineAsync($"usagebatch: the scheduler could not start: {ex.Message}");
            return ExitCodes.Aborted;
        }

        var now = TimeProvider.System.GetUtcNow();
        foreach (var job in options.Jobs.Where(j => j.Enabled))
        {
            logger.Information("Scheduled {Job}: cron {Cron} in {TimeZone}, misfire {Misfire}, next fire {NextFire:O}",
                job.Name, job.Cron, job.TimeZone, job.Misfire, JobSchedule.NextFireTime(job, now));
        }

        // Say what the stop waits for: a run in flight stops at its next safe point and settles before the exit.
        using var onStopping = host.Services.GetRequiredService<IHostApplicationLifetime>().ApplicationStopping.Register(() =>
            logger.Information("Stopping: waiting up to {ShutdownTimeout} for running jobs to stop at a safe point and settle", ShutdownBudget.Effective(options)));
        await host.WaitForShutdownAsync(cancellationToken);
        logger.Information("Stopped");
        return ExitCodes.Ok;
    }
}
