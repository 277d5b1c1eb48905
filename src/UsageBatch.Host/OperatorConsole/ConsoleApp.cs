using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using UsageBatch.Metrics;
using UsageBatch.OperatorConsole.Health;
using UsageBatch.OperatorConsole.Jobs;
using UsageBatch.OperatorConsole.Security;

namespace UsageBatch.OperatorConsole;

/// <summary>
/// The console as its own small ASP.NET Core app (Kestrel from the shared framework), so `serve` adds it with one
/// hosted service and `usagebatch console` runs it alone. It reads the same configuration and database as the job.
/// </summary>
internal static class ConsoleApp
{
    public static WebApplication Build(ConsoleContext context, ILoggerFactory loggers, MisfireRecorder misfires, IReadOnlyList<string>? urls = null)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { ApplicationName = "usagebatch-console", ContentRootPath = context.Options.BaseDirectory });
        // jobs.json is the only configuration: no ASPNETCORE_* variable or appsettings file moves the console's address.
        builder.Configuration.Sources.Clear();
        builder.Configuration.AddInMemoryCollection();
        builder.Logging.ClearProviders();
        builder.Logging.AddProvider(new ForwardingLoggerProvider(loggers));
        builder.WebHost.UseUrls([.. urls ?? context.Options.Console.Urls.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)]);
        builder.WebHost.ConfigureKestrel(k => k.AddServerHeader = false);

        var services = builder.Services;
        // The caller owns Ctrl+C / SIGTERM (`serve`'s Generic Host, or the `console` verb's token): the console's own
        // app must not react to signals by itself, nor stop the process under a running job.
        services.AddSingleton<Microsoft.Extensions.Hosting.IHostLifetime, CallerOwnedLifetime>();
        services.AddSingleton(context);
        services.AddSingleton(context.Time);
        services.AddSingleton(misfires);
        services.AddSingleton<JobStatusReader>();
        if (context.AccessKey is { } key)
        {
            services.AddSingleton(new AccessKey(key));
        }

        // Anti-forgery tokens only need to outlive a page view: keys in memory (never encrypted at rest, as they never
        // rest), nothing written to disk.
        services.AddDataProtection();
        services.Configure<Microsoft.AspNetCore.DataProtection.KeyManagement.KeyManagementOptions>(o =>
        {
            o.XmlRepository = new MemoryKeyRepository();
            o.XmlEncryptor = new Microsoft.AspNetCore.DataProtection.XmlEncryption.NullXmlEncryptor();
        });
        services.AddAntiforgery(o =>
        {
            o.Cookie.Name = "usagebatch_af";
            o.Cookie.SameSite = SameSiteMode.Strict;
            o.FormFieldName = "__af";
        });
        services.AddHealthChecks()
            .AddCheck<SchedulerCheck>("scheduler", tags: ["ready"])
            .AddCheck<DatabaseCheck>("database", tags: ["ready"])
            .AddCheck<JobsCheck>("jobs", tags: ["ready"])
            .AddCheck<LogFilesCheck>("logs", tags: ["ready"]);
        services.AddHostedService<ConsoleGauges>();
        services.AddOpenTelemetry()
            .ConfigureResource(r => r.AddService("usagebatch"))
            .WithMetrics(m =>
            {
                m.AddMeter(UsageMetrics.MeterName).AddPrometheusExporter();
                if (context.Options.Console.OtlpEndpoint is { } endpoint)
                {
                    m.AddOtlpExporter(o => o.Endpoint = new Uri(endpoint));
                }
            });

        var app = builder.Build();
        app.Use((http, next) => SecurityHeaders.Apply(http, next));
        if (app.Services.GetService<AccessKey>() is { } guard)
        {
            app.Use((http, next) => guard.Guard(http, next));
        }

        app.MapHealthChecks("/health/live", new HealthCheckOptions { Predicate = _ => false, ResponseWriter = HealthJson.Write });
        app.MapHealthChecks("/health/ready", new HealthCheckOptions { Predicate = c => c.Tags.Contains("ready"), ResponseWriter = HealthJson.Write });
        app.MapPrometheusScrapingEndpoint("/metrics");
        ConsoleEndpoints.Map(app, context);
        return app;
    }

    /// <summary>The addresses Kestrel actually bound (a port of 0 becomes the real one).</summary>
    public static IReadOnlyList<string> Addresses(WebApplication app) =>
        app.Services.GetRequiredService<Microsoft.AspNetCore.Hosting.Server.IServer>()
            .Features.Get<Microsoft.AspNetCore.Hosting.Server.Features.IServerAddressesFeature>()?.Addresses.ToList() ?? [];

    private sealed class CallerOwnedLifetime : Microsoft.Extensions.Hosting.IHostLifetime
    {
        public Task WaitForStartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }

    private sealed class ForwardingLoggerProvider(ILoggerFactory loggers) : ILoggerProvider
    {
        public ILogger CreateLogger(string categoryName) => loggers.CreateLogger(categoryName);

        public void Dispose()
        {
            // The factory belongs to the caller.
        }
    }
}
