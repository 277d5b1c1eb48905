using System.Diagnostics;
using System.Globalization;
using Spectre.Console;
using UsageBatch.Billing;

namespace UsageBatch.Progress;

/// <summary>
/// Progress on a terminal: one bar per phase (Spectre.Console), with the count, rate and time left while sending.
/// Created inside <see cref="Spectre.Console.Progress.StartAsync"/>; the display ends with it.
/// </summary>
internal sealed class LiveProgress(ProgressContext context, string job) : IRunProgress
{
    private readonly object _gate = new();
    private ProgressTask? _task;
    private string _phase = "";
    private readonly Stopwatch _phaseClock = new();

    /// <summary>Runs <paramref name="body"/> under a live display on the console.</summary>
    public static Task<T> ShowAsync<T>(string job, Func<IRunProgress, Task<T>> body) =>
        AnsiConsole.Progress()
            .AutoClear(false)
            .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn(), new SpinnerColumn())
            .StartAsync(context => body(new LiveProgress(context, job)));

    public void Phase(string name, int? total = null)
    {
        lock (_gate)
        {
            _phase = name;
            _phaseClock.Restart();
            _task = context.AddTask(Markup.Escape($"{job}: {name}"), maxValue: Math.Max(1, total ?? 1));
            _task.IsIndeterminate = total is null;
        }
    }

    public void Step()
    {
        lock (_gate)
        {
            if (_task is null)
            {
                return;
            }

            _task.Increment(1);
            var rate = _task.Value / Math.Max(_phaseClock.Elapsed.TotalSeconds, 0.001);
            _task.Description = Markup.Escape(string.Create(CultureInfo.InvariantCulture, $"{job}: {_phase} {_task.Value:0} of {_task.MaxValue:0} ({rate:0.0}/s)"));
        }
    }

    public void Done(string summary)
    {
        lock (_gate)
        {
            if (_task is null)
            {
                return;
            }

            _task.IsIndeterminate = false;
            _task.Value = _task.MaxValue;
            _task.Description = Markup.Escape($"{job}: {summary}");
            _task.StopTask();
        }
    }
}
