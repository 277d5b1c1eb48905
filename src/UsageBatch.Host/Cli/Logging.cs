using Microsoft.Extensions.Logging;
using Serilog;
using Serilog.Events;
using Serilog.Extensions.Logging;
using UsageBatch.Configuration;

namespace UsageBatch.Cli;

/// <summary>Serilog: console plus rolling daily files under logging.directory, kept for logging.retainedDays.</summary>
internal static class Logging
{
    public static ILoggerFactory Create(LoggingOptions options, bool console = true)
    {
        var level = Enum.TryParse<LogEventLevel>(options.MinimumLevel, ignoreCase: true, out var parsed) ? parsed : LogEventLevel.Information;
        var configuration = new LoggerConfiguration()
            .MinimumLevel.Is(level)
            .Enrich.FromLogContext()
            .WriteTo.File(
                Path.Combine(options.Directory, "usagebatch-.log"),
                rollingInterval: RollingInterval.Day,
                retainedFileCountLimit: options.RetainedDays,
                outputTemplate: "{Timestamp:yyyy-MM-ddTHH:mm:ss.fffZ} [{Level:u3}] {Message:lj} {Properties:j}{NewLine}{Exception}");
        if (console)
        {
            configuration.WriteTo.Console(restrictedToMinimumLevel: LogEventLevel.Warning, standardErrorFromLevel: LogEventLevel.Verbose);
        }

        return new SerilogLoggerFactory(configuration.CreateLogger(), dispose: true);
    }
}
