using System.Diagnostics;
using System.Globalization;
using UsageBatch.Billing;
using UsageBatch.Usage;

namespace UsageBatch.Progress;

/// <summary>
/// Progress where no one watches a live display (a pipe, cron, SQL Agent, a log collector): a line when a phase
/// starts and ends, and during sends a line every tenth of the way with the rate and the time left.
/// </summary>
internal sealed class LineProgress(TextWriter output, string job) : IRunProgress
{
    private readonly object _gate = new();
    private readonly Stopwatch _phaseClock = new();
    private string _phase = "";
    private int? _total;
    private int _done;
    private int _nextReport;

    public void Phase(string name, int? total = null)
    {
        lock (_gate)
        {
            (_phase, _total, _done) = (name, total, 0);
            _nextReport = total is { } t ? Math.Max(1, t / 10) : int.MaxValue;
            _phaseClock.Restart();
            output.WriteLine(total is { } n ? string.Create(CultureInfo.InvariantCulture, $"{job}: {name} ({n})") : $"{job}: {name}");
        }
    }

    public void Step()
    {
        lock (_gate)
        {
            _done++;
            if (_done < _nextReport || _total is not { } total || _done >= total)
            {
                return;
            }

            _nextReport += Math.Max(1, total / 10);
            var rate = _done / Math.Max(_phaseClock.Elapsed.TotalSeconds, 0.001);
            var left = TimeSpan.FromSeconds((total - _done) / Math.Max(rate, 0.001));
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{job}: {_phase} {_done} of {total} ({rate:0.0}/s, about {DurationText.Format(left)} left)"));
        }
    }

    public void Done(string summary)
    {
        lock (_gate)
        {
            output.WriteLine($"{job}: {summary} ({DurationText.Format(_phaseClock.Elapsed)})");
        }
    }
}
