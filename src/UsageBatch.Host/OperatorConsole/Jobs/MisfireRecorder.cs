using Quartz;

namespace UsageBatch.OperatorConsole.Jobs;

/// <summary>
/// Remembers the scheduler's misfires since this process started (Quartz keeps no history of them), newest first,
/// for the scheduler page. Bounded: a long outage's misfires are one per trigger anyway.
/// </summary>
internal sealed class MisfireRecorder(TimeProvider time) : ITriggerListener
{
    private const int Keep = 100;
    private readonly Lock _gate = new();
    private readonly LinkedList<Misfire> _misfires = new();

    public sealed record Misfire(DateTimeOffset NoticedAt, string Job, DateTimeOffset? ScheduledFor);

    public string Name => "usagebatch-console-misfires";

    public IReadOnlyList<Misfire> Recent
    {
        get
        {
            lock (_gate)
            {
                return _misfires.ToList();
            }
        }
    }

    public ValueTask TriggerMisfired(ITrigger trigger, IScheduler scheduler, CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            _misfires.AddFirst(new Misfire(time.GetUtcNow(), trigger.JobKey.Name, trigger.NextFireTimeUtc));
            while (_misfires.Count > Keep)
            {
                _misfires.RemoveLast();
            }
        }

        return ValueTask.CompletedTask;
    }
}
