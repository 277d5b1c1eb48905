using Serilog;
using UsageBatch.Cli;

namespace UsageBatch;

internal static class Program
{
    public static async Task<int> Main(string[] args)
    {
        // Until jobs.json names the log folder, failures go to standard error through the bootstrap logger (one
        // line, no stack trace); every verb then logs through the configured pipeline (Cli/Logging).
        Log.Logger = Logging.CreateBootstrapLogger();
        try
        {
            return await CliApp.RunAsync(args, Console.Out, Console.Error);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            Log.Fatal(ex, "could not start");
            return Billing.ExitCodes.Aborted;
        }
        finally
        {
            await Log.CloseAndFlushAsync();
        }
    }
}
