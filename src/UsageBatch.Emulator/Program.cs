using System.Globalization;
using System.Runtime.InteropServices;

namespace UsageBatch.Emulator;

/// <summary>
/// Standalone: <c>--urls http://127.0.0.1:5080 [--fixtures FILE] [--latency-ms N]</c>; runs until Ctrl+C.
/// Kept in this namespace because the host executable references this project and has its own Program.
/// </summary>
internal static class Program
{
    public static async Task<int> Main(string[] args)
    {
        var options = new EmulatorOptions();
        for (var i = 0; i < args.Length; i++)
        {
            var value = i + 1 < args.Length ? args[i + 1] : null;
            switch (args[i])
            {
                case "--urls" when value is not null:
                    options.Urls = value;
                    i++;
                    break;
                case "--fixtures" when value is not null:
                    options.FixturesPath = value;
                    i++;
                    break;
                case "--latency-ms" when int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var latency):
                    options.LatencyMs = latency;
                    i++;
                    break;
                case "-h" or "--help":
                    Console.WriteLine("usage: UsageBatch.Emulator [--urls http://127.0.0.1:5080] [--fixtures FILE] [--latency-ms N]");
                    return 0;
                default:
                    await Console.Error.WriteLineAsync($"Unknown or incomplete argument '{args[i]}'. Try --help.");
                    return 2;
            }
        }

        using var stop = new CancellationTokenSource();
        using var onInterrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, Stop);
        using var onTerminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Stop);

        EmulatorServer server;
        try
        {
            server = await EmulatorServer.StartAsync(options);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or System.Text.Json.JsonException)
        {
            // A bad --fixtures file or a taken port: say which, without a stack trace.
            await Console.Error.WriteLineAsync($"Cannot start the emulator: {e.Message}");
            return 2;
        }

        await using var _ = server;
        Console.WriteLine($"UsageBatch provider emulator listening on {server.BaseAddress}");
        Console.WriteLine($"  Whop v5:      {server.WhopBaseUrl}");
        Console.WriteLine($"  Chargebee v2: {server.ChargebeeBaseUrl}");
        Console.WriteLine("Press Ctrl+C to stop.");
        try
        {
            await Task.Delay(Timeout.Infinite, stop.Token);
        }
        catch (OperationCanceledException)
        {
            // Ctrl+C or SIGTERM: fall through to a clean stop.
        }

        return 0;

        void Stop(PosixSignalContext context)
        {
            context.Cancel = true;
            stop.Cancel();
        }
    }
}
