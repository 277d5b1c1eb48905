using Serilog.Events;
using Serilog.Extensions.Logging;
using UsageBatch.Billing;
using UsageBatch.Configuration;
using UsageBatch.OperatorConsole;
using UsageBatch.OperatorConsole.Jobs;

namespace UsageBatch.Cli;

/// <summary>
/// `usagebatch console`: the operator console alone over the configured database, for sites whose runs come from
/// SQL Agent or cron. Schedules nothing and starts no run ("run now" says so). Exits 0 on Ctrl+C / SIGTERM, 2, 3.
/// </summary>
internal static class ConsoleCommand
{
    /// <summary>
    /// The console's access key is set when console.authKeyEnv names one (`serve` with the console enabled,
    /// `validate`, `console`); the errors go to <paramref name="error"/> by key path.
    /// </summary>
    /// <summary>The console's access key must be set when it is needed; otherwise a configuration error (exit 2).</summary>
    public static void RequireKey(AppOptions options, Func<string, string?> environment)
    {
        var errors = ConsoleValidator.KeyErrors(options, environment);
        if (errors.Count > 0)
        {
            throw new ConfigurationException(errors);
        }
    }

    public static async Task<int> RunAsync(string configPath, TextWriter output, TextWriter error, Func<string, string?> environment, CancellationToken cancellationToken)
    {
        // Provider keys are not needed to read the ledger; the console's own key is. Failures (configuration,
        // database) are answered by Verb like every other verb's.
        var options = Commands.Load(configPath, environment, requireKeys: false);
        RequireKey(options, environment);
        using var logger = Logging.CreateLogger(options.Logging, LogEventLevel.Information);
        using var loggers = new SerilogLoggerFactory(logger);
        var store = Composition.CreateStore(options, environment, Storage.DatabaseUse.Write, loggers);
        await store.EnsureSchemaAsync(cancellationToken);

        var key = options.Console.AuthKeyEnv is { } env ? environment(env) : null;
        await using var app = ConsoleApp.Build(new ConsoleContext(options, store, scheduler: null, TimeProvider.System, key), loggers, new MisfireRecorder(TimeProvider.System));
        try
        {
            await app.StartAsync(cancellationToken);
        }
        catch (IOException ex)
        {
            await error.WriteLineAsync($"usagebatch: the console could not listen on {options.Console.Urls} (console.urls): {ex.Message}");
            return ExitCodes.Aborted;
        }

        await output.WriteLineAsync($"console: {string.Join(", ", ConsoleApp.Addresses(app))} (no scheduler in this process; Ctrl+C stops)");
        // Ctrl+C / SIGTERM stop serving and exit 0 (nothing here can be cut short: the console only reads).
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        void Stop(System.Runtime.InteropServices.PosixSignalContext signal)
        {
            signal.Cancel = true;
            stop.Cancel();
        }

        using var interrupt = System.Runtime.InteropServices.PosixSignalRegistration.Create(System.Runtime.InteropServices.PosixSignal.SIGINT, Stop);
        using var terminate = System.Runtime.InteropServices.PosixSignalRegistration.Create(System.Runtime.InteropServices.PosixSignal.SIGTERM, Stop);
        try
        {
            await Task.Delay(Timeout.Infinite, stop.Token);
        }
        catch (OperationCanceledException)
        {
            // Ctrl+C / SIGTERM: stop serving.
        }

        await app.StopAsync(CancellationToken.None);
        return ExitCodes.Ok;
    }
}
