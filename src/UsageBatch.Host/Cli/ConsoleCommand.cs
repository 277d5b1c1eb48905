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
    public static bool KeyReady(AppOptions options, Func<string, string?> environment, TextWriter error)
    {
        var errors = ConsoleValidator.KeyErrors(options, environment);
        foreach (var message in errors)
        {
            error.WriteLine(message);
        }

        return errors.Count == 0;
    }

    public static async Task<int> RunAsync(string configPath, TextWriter output, TextWriter error, Func<string, string?> environment, CancellationToken cancellationToken)
    {
        // Provider keys are not needed to read the ledger; the console's own key is.
        if (!Commands.TryLoad(configPath, environment, error, requireKeys: false, out var options))
        {
            return ExitCodes.BadConfiguration;
        }

        if (!KeyReady(options, environment, error))
        {
            return ExitCodes.BadConfiguration;
        }

        using var logger = Logging.CreateLogger(options.Logging, LogEventLevel.Information);
        using var loggers = new SerilogLoggerFactory(logger);
        var store = Composition.CreateStore(options, environment);
        try
        {
            await store.EnsureSchemaAsync(cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException and not ConfigurationException)
        {
            await error.WriteLineAsync($"usagebatch: database unavailable: {ex.Message}");
            return ExitCodes.Aborted;
        }

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
