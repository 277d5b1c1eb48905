namespace UsageBatch.Cli;

/// <summary>
/// Whether the log files are being written. Serilog never throws from a sink: a file it cannot write (the folder
/// vanished, the disk is full, permissions changed) goes to its internal SelfLog, which is silent unless enabled. Here
/// the first such failure is said once on standard error, and `serve`'s /health/ready turns degraded, so an operator
/// learns it while it matters, not when a log is wanted and was never written.
/// </summary>
internal static class LogSinkHealth
{
    private static string? _failure;
    private static int _failures;

    /// <summary>The first failure, or null while every line was written.</summary>
    public static string? Failure => Volatile.Read(ref _failure);

    public static int Failures => Volatile.Read(ref _failures);

    /// <summary>Where the one line goes (standard error; a test may look instead).</summary>
    internal static TextWriter Output { get; set; } = Console.Error;

    /// <summary>Listens to Serilog's own failures for the logger writing under <paramref name="directory"/>.</summary>
    public static void Watch(string directory) =>
        Serilog.Debugging.SelfLog.Enable(message => Report(directory, message));

    internal static void Report(string directory, string message)
    {
        Interlocked.Increment(ref _failures);
        var line = message.Split('\n', 2)[0].Trim();
        var text = $"log files under logging.directory '{directory}' are not being written: {line}; lines go to the console only until it is fixed";
        if (Interlocked.CompareExchange(ref _failure, text, null) is null)
        {
            Output.WriteLine("usagebatch: " + text);
        }
    }

    /// <summary>Forgets what was seen (tests).</summary>
    internal static void Reset()
    {
        Volatile.Write(ref _failure, null);
        Volatile.Write(ref _failures, 0);
    }
}
