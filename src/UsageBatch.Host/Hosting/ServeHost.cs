using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Serilog.Extensions.Logging;
using UsageBatch.Configuration;
using UsageBatch.Storage;

namespace UsageBatch.Hosting;

/// <summary>
/// The `serve` host: the Generic Host with Quartz's hosted service, logging through Serilog, and the real job
/// runner behind <see cref="IJobExecutor"/>. Ctrl+C / SIGTERM stop it (ConsoleLifetime); the shutdown waits up to
/// scheduler.shutdownTimeout for running jobs, which are asked to stop at a safe point.
/// </summary>
internal static class ServeHost
{
    /// <param name="configure">Last word on the services (tests swap the executor).</param>
    public static IHost Build(AppOptions options, IBillingStore store, string? schedulerConnectionString, Serilog.ILogger logger,
        Func<ILoggerFactory, IJobExecutor> executor, Action<IServiceCollection>? configure = null)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings
        {
            // No appsettings.json, no default console logger: jobs.json and Serilog are the only sources.
            DisableDefaults = true,
            ContentRootPath = options.BaseDirectory,
            ApplicationName = "usagebatch",
        });
        builder.Logging.ClearProviders();
        builder.Logging.AddProvider(new SerilogLoggerProvider(logger));
        builder.Logging.SetMinimumLevel(LogLevel.Trace); // Serilog's own levels decide
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = ShutdownBudget.Effective(options));
        builder.Services.AddSingleton(options);
        builder.Services.AddSingleton(store);
        builder.Services.AddSingleton(sp => executor(sp.GetRequiredService<ILoggerFactory>()));
        builder.Services.AddBillingScheduler(options, schedulerConnectionString);
        configure?.Invoke(builder.Services);
        return builder.Build();
    }
}
