using Serilog.Events;
using Serilog.Formatting;
using Serilog.Formatting.Display;

namespace UsageBatch.Cli;

/// <summary>
/// Console lines for journald under systemd: each starts with its syslog priority (the sd-daemon(3) prefix, e.g.
/// <c>&lt;3&gt;</c> for an error) so the journal files it at its level, and carries no timestamp of its own.
/// </summary>
internal sealed class SyslogPriority(string outputTemplate) : ITextFormatter
{
    private readonly MessageTemplateTextFormatter _line = new(outputTemplate, System.Globalization.CultureInfo.InvariantCulture);

    public void Format(LogEvent logEvent, TextWriter output)
    {
        output.Write('<');
        output.Write(Of(logEvent.Level).ToString(System.Globalization.CultureInfo.InvariantCulture));
        output.Write('>');
        _line.Format(logEvent, output);
    }

    public static int Of(LogEventLevel level) => level switch
    {
        LogEventLevel.Fatal => 2,       // crit
        LogEventLevel.Error => 3,       // err
        LogEventLevel.Warning => 4,     // warning
        LogEventLevel.Information => 6, // info
        _ => 7,                         // debug
    };
}
