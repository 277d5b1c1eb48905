using Serilog.Core;
using Serilog.Events;

namespace UsageBatch.Cli;

/// <summary>
/// The console shows an exception as one line (type and message); the stack trace goes to the log file only, so
/// an operator's terminal (or journald under `serve`) never gets one.
/// </summary>
internal sealed class ExceptionLineEnricher : ILogEventEnricher
{
    public void Enrich(LogEvent logEvent, ILogEventPropertyFactory propertyFactory)
    {
        if (logEvent.Exception is { } ex)
        {
            logEvent.AddPropertyIfAbsent(new LogEventProperty("ExceptionLine",
                new ScalarValue($" ({ex.GetType().Name}: {ex.Message}; the stack trace is in the log file)")));
        }
    }
}
