using Microsoft.Extensions.Logging;
using Serilog;
using Serilog.Events;
using Serilog.Extensions.Logging;
using UsageBatch.Configuration;

namespace UsageBatch.Cli;

/// <summary>
/// Serilog: console plus rolling daily files under logging.directory, kept for logging.retainedDays. Every
/// Microsoft.Extensions.Logging logger (ours, Quartz's, the Generic Host's) writes through this one pipeline, and
/// logging scopes become properties, so each line of a run carries Job, RunId and Provider (and SubmissionId where
/// one is being handled).
/// </summary>
internal static class Logging
{
    public const string FilePrefix = "usagebatch-";

    /// <param name="consoleLevel">`serve` shows Information on the console (journald, the service log); one-shot
    /// verbs keep their console for their own output and show only warnings there.</param>
    /// <param name="journal">Under systemd: console lines start with their syslog priority (<c>&lt;3&gt;</c> error …
    /// <c>&lt;7&gt;</c> debug) so journald files each at its level, and carry no timestamp (journald adds its own).</param>
    public static Serilog.Core.Logger CreateLogger(LoggingOptions options, LogEventLevel? consoleLevel = LogEventLevel.Warning, bool journal = false)
    {
        var level = Enum.TryParse<LogEventLevel>(options.MinimumLevel, ignoreCase: true, out var parsed) ? parsed : LogEventLevel.Information;
        LogSinkHealth.Watch(options.Directory);
        var configuration = new LoggerConfiguration()
            .MinimumLevel.Is(level)
            // Quartz and the host tell ~25 lines about their own internals at Information: those show at Debug only;
            // their warnings always.
            .MinimumLevel.Override("Quartz", level <= LogEventLevel.Debug ? level : LogEventLevel.Warning)
            .MinimumLevel.Override("Microsoft", level <= LogEventLevel.Debug ? level : LogEventLevel.Warning)
            .Enrich.FromLogContext()
            .Enrich.With(new UtcTimestampEnricher())
            .WriteTo.File(
                Path.Combine(options.Directory, FilePrefix + ".log"),
                rollingInterval: RollingInterval.Day,
                // Kept by age, not by count: a day holds several files once one passes the size limit.
                retainedFileCountLimit: null,
                retainedFileTimeLimit: TimeSpan.FromDays(options.RetainedDays),
                fileSizeLimitBytes: 256L * 1024 * 1024,
                rollOnFileSizeLimit: true,
                outputTemplate: "{UtcTimestamp:yyyy-MM-ddTHH:mm:ss.fffZ} [{Level:u3}] {SourceContext}: {Message:lj} {Properties:j}{NewLine}{Exception}");
        if (consoleLevel is { } console)
        {
            // A sub-logger gets its own copy of each event, so the one-line exception stays off the file's lines.
            // Under systemd each line starts with its syslog priority and carries no time: journald stamps it.
            configuration.WriteTo.Logger(sub => sub.Enrich.With(new ExceptionLineEnricher()).WriteTo.Console(
                journal
                    ? new SyslogPriority("{Message:lj}{ExceptionLine} {Properties:j}{NewLine}")
                    : new Serilog.Formatting.Display.MessageTemplateTextFormatter(
                        "{UtcTimestamp:yyyy-MM-ddTHH:mm:ssZ} [{Level:u3}] {Message:lj}{ExceptionLine} {Properties:j}{NewLine}", System.Globalization.CultureInfo.InvariantCulture),
                restrictedToMinimumLevel: console, standardErrorFromLevel: journal ? null : LogEventLevel.Warning));
        }

        return configuration.CreateLogger();
    }

    /// <summary>
    /// The logger of the first moments, before jobs.json says where logs go: warnings and errors to standard error,
    /// so a failure at start-up is never silent. Replaced by the configured logger once the configuration is read.
    /// </summary>
    public static Serilog.Extensions.Hosting.ReloadableLogger CreateBootstrapLogger() => new LoggerConfiguration()
        .MinimumLevel.Warning()
        .Enrich.With(new ExceptionLineEnricher())
        .WriteTo.Console(standardErrorFromLevel: LogEventLevel.Verbose, outputTemplate: "usagebatch: {Message:lj}{ExceptionLine}{NewLine}",
            formatProvider: System.Globalization.CultureInfo.InvariantCulture)
        .CreateBootstrapLogger();

    public static ILoggerFactory Create(LoggingOptions options, bool console = true) =>
        new SerilogLoggerFactory(CreateLogger(options, console ? LogEventLevel.Warning : null), dispose: true);
}
