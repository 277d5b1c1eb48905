using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Serilog;
using UsageBatch.Configuration;
using UsageBatch.Storage;

namespace UsageBatch.Hosting;

/// <summary>
/// The `serve` host: the Generic Host with Quartz's hosted service, logging through Serilog, and the real job
/// runner behind <see cref="IJobExecutor"/>. Ctrl+C / SIGTERM stop it (ConsoleLifetime; SystemdLifetime or the
/// Windows service lifetime under a service manager, see <see cref="ServiceManager"/>); the shutdown waits up to
/// scheduler.shutdownTimeout for running jobs, which are asked to stop at a safe point.
/// </summary>
internal static class ServeHost
{
    /// <param name="configure">Last word on the services (tests swap the executor).</param>
    public static IHost Build(AppOptions options, IBillingStore store, string? schedulerConnectionString, Serilog.ILogger logger,
        Func<ILoggerFactory, IJobExecutor> executor, Action<IServiceCollection>? configure = null, Func<string, string?>? environment = null)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings
        {
            // No appsettings.json, no default console logger: jobs.json and Serilog are the only sources.
            DisableDefaults = true,
            ContentRootPath = options.BaseDirectory,
            ApplicationName = "usagebatch",
        });
        builder.Logging.ClearProviders();
        // Serilog.Extensions.Hosting: the host's, Quartz's and our loggers all write through the one Serilog pipeline.
        builder.Services.AddSerilog(logger, dispose: false);
        builder.Logging.SetMinimumLevel(LogLevel.Trace); // Serilog's own levels decide
        builder.Services.AddServiceManagerLifetime(environment ?? Environment.GetEnvironmentVariable);
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = ShutdownBudget.Effective(options));
        builder.Services.AddSingleton(options);
        builder.Services.AddSingleton(store);
        builder.Services.AddSingleton(sp => executor(sp.GetRequiredService<ILoggerFactory>()));
        builder.Services.AddBillingScheduler(options, schedulerConnectionString);
        configure?.Invoke(builder.Services);
        return builder.Build();
    }
}
