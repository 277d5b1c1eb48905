using Serilog.Core;
using Serilog.Events;

namespace UsageBatch.Cli;

/// <summary>
/// Log times in UTC (ISO 8601 with Z) whatever the machine's zone, as everywhere else in the job: the output
/// templates render <c>{UtcTimestamp}</c> (Serilog 4 has that token built in; this property serves older ones).
/// </summary>
internal sealed class UtcTimestampEnricher : ILogEventEnricher
{
    public void Enrich(LogEvent logEvent, ILogEventPropertyFactory propertyFactory) =>
        logEvent.AddPropertyIfAbsent(new LogEventProperty("UtcTimestamp", new ScalarValue(logEvent.Timestamp.UtcDateTime)));
}
