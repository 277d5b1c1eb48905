using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace UsageBatch.Cli;

/// <summary>
/// The loggers of one run: the same warning (by message template) is logged the first few times, then only counted,
/// and <see cref="Summarize"/> writes one line per kind with the count, so 300 throttled submissions are not 300
/// lines. Errors are never held back.
/// </summary>
internal sealed class WarningDigest(ILoggerFactory inner, int shownPerKind = 5) : ILoggerFactory
{
    private readonly ConcurrentDictionary<string, int> _counts = new(StringComparer.Ordinal);

    public ILogger CreateLogger(string categoryName) => new DigestLogger(inner.CreateLogger(categoryName), this);

    public void AddProvider(ILoggerProvider provider) => inner.AddProvider(provider);

    /// <summary>The factory it wraps belongs to the caller.</summary>
    public void Dispose()
    {
    }

    public void Summarize(ILogger logger)
    {
        foreach (var (template, count) in _counts.Where(c => c.Value > shownPerKind).OrderBy(c => c.Key, StringComparer.Ordinal))
        {
            logger.LogWarning("{Suppressed} more warnings like \"{Template}\" in this run (the first {Shown} are logged above)", count - shownPerKind, template, shownPerKind);
        }
    }

    private bool Show(string template) => _counts.AddOrUpdate(template, 1, static (_, n) => n + 1) <= shownPerKind;

    private sealed class DigestLogger(ILogger inner, WarningDigest digest) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => inner.BeginScope(state);

        public bool IsEnabled(LogLevel logLevel) => inner.IsEnabled(logLevel);

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (logLevel == LogLevel.Warning && state is IReadOnlyList<KeyValuePair<string, object?>> values
                && values.FirstOrDefault(v => v.Key == "{OriginalFormat}").Value is string template && !digest.Show(template))
            {
                return;
            }

            inner.Log(logLevel, eventId, state, exception, formatter);
        }
    }
}
