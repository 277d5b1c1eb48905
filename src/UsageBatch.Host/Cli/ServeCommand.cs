using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Serilog.Events;
using UsageBatch.Billing;
using UsageBatch.Configuration;
using UsageBatch.Hosting;
using UsageBatch.Storage;

namespace UsageBatch.Cli;

/// <summary>`serve` (also the default verb): every enabled job on its cron until Ctrl+C / SIGTERM. Exits 0 on a clean stop, 2, 3.</summary>
internal static class ServeCommand
{
    public static async Task<int> RunAsync(string configPath, TextWriter error, Func<string, string?> environment, CancellationToken cancellationToken)
    {
        // Failures before the host starts (configuration, database) are answered by Verb like every other verb's.
        var options = Commands.Load(configPath, environment, requireKeys: true);
        if (options.Console.Enabled)
        {
            ConsoleCommand.RequireKey(options, environment);
        }

        var schedulerConnectionString = Composition.SchedulerConnectionString(options, environment);
        using var logger = Logging.CreateLogger(options.Logging, LogEventLevel.Information, journal: Hosting.ServiceManager.UnderSystemd(environment));
        using var storeLoggers = new Serilog.Extensions.Logging.SerilogLoggerFactory(logger);
        var store = Composition.CreateStore(options, environment, Composition.IsEmbeddedDefault(options, environment) ? DatabaseUse.Create : DatabaseUse.Write, storeLoggers);
        await store.EnsureSchemaAsync(cancellationToken);

        using var host = ServeHost.Build(options, store, schedulerConnectionString, logger,
            loggers => new JobRunner(options, store, store, environment, TimeProvider.System, loggers),
            services => OperatorConsole.ConsoleRegistration.AddOperatorConsole(services, options, store, environment), environment);
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
        foreach (var warning in ConfigValidator.Warnings(options, TimeProvider.System))
        {
            logger.Warning("{Warning}", warning);
        }

        logger.Information("UsageBatch {Version} serving {Jobs} enabled jobs from {Config}; database {Dialect}, scheduler store {Store}; Ctrl+C or SIGTERM stops it (waits up to {ShutdownTimeout})",
            typeof(ServeCommand).Assembly.GetName().Version?.ToString(3), options.Jobs.Count(j => j.Enabled), Path.GetFullPath(configPath), store.Dialect,
            options.Scheduler.Store, Usage.DurationText.Format(Configuration.ShutdownBudget.Effective(options)));
        foreach (var job in options.Jobs.Where(j => j.Enabled))
        {
            logger.Information("Scheduled {Job}: cron {Cron} in {TimeZone}, misfire {Misfire}, next fire {NextFire}",
                job.Name, job.Cron, job.TimeZone, job.Misfire, JobSchedule.NextFireTime(job, now) is { } next ? Usage.UtcText.Format(next) : "never");
        }

        // Say what the stop waits for: a run in flight stops at its next safe point and settles before the exit.
        using var onStopping = host.Services.GetRequiredService<IHostApplicationLifetime>().ApplicationStopping.Register(() =>
            logger.Information("Stopping: waiting up to {ShutdownTimeout} for running jobs to stop at a safe point and settle", ShutdownBudget.Effective(options)));
        await host.WaitForShutdownAsync(cancellationToken);
        logger.Information("Stopped");
        return ExitCodes.Ok;
    }
}
