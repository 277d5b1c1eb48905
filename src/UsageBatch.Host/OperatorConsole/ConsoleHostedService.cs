using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Quartz;
using UsageBatch.Configuration;
using UsageBatch.OperatorConsole.Jobs;
using UsageBatch.Storage;

namespace UsageBatch.OperatorConsole;

/// <summary>`serve`'s console: started after the scheduler (registered after it), stopped with the host.</summary>
internal sealed class ConsoleHostedService(ConsoleContext context, ILoggerFactory loggers) : IHostedService, IAsyncDisposable
{
    private WebApplication? _app;

    /// <summary>Where the console listens once started (a configured port of 0 becomes the real one).</summary>
    public IReadOnlyList<string> Addresses => _app is null ? [] : ConsoleApp.Addresses(_app);

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var misfires = new MisfireRecorder(context.Time);
        if (context.Scheduler is not null)
        {
            (await context.Scheduler.GetScheduler(cancellationToken)).ListenerManager.AddTriggerListener(misfires);
        }

        _app = ConsoleApp.Build(context, loggers, misfires);
        try
        {
            await _app.StartAsync(cancellationToken);
        }
        catch (IOException ex)
        {
            throw new InvalidOperationException($"the operator console could not listen on {context.Options.Console.Urls} (console.urls): {ex.Message}", ex);
        }

        loggers.CreateLogger("UsageBatch.Console").LogInformation("Operator console at {Urls}", string.Join(", ", ConsoleApp.Addresses(_app)));
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_app is not null)
        {
            await _app.StopAsync(cancellationToken);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.DisposeAsync();
        }
    }
}

/// <summary>The one registration `serve` needs for its console.</summary>
internal static class ConsoleRegistration
{
    /// <summary>Adds the console when console.enabled; call after the scheduler's registration so it starts after it.</summary>
    public static IServiceCollection AddOperatorConsole(this IServiceCollection services, AppOptions options, BillingStore store, Func<string, string?> environment)
    {
        if (!options.Console.Enabled)
        {
            return services;
        }

        var key = options.Console.AuthKeyEnv is { } env ? environment(env) : null;
        return services.AddHostedService(sp => new ConsoleHostedService(
            new ConsoleContext(options, store, sp.GetRequiredService<ISchedulerFactory>(), TimeProvider.System, key),
            sp.GetRequiredService<ILoggerFactory>()));
    }
}
