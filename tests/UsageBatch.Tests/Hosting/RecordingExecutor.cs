using System.Collections.Concurrent;
using UsageBatch.Configuration;
using UsageBatch.Hosting;

namespace UsageBatch.Tests.Hosting;

/// <summary>A job executor that records each firing (scheduled time, start, end) and how many ran at once.</summary>
internal sealed class RecordingExecutor(TimeSpan duration) : IJobExecutor
{
    private int _running;
    private int _maxRunning;

    public ConcurrentQueue<Firing> Firings { get; } = new();

    public int MaxRunning => Volatile.Read(ref _maxRunning);

    public sealed record Firing(string Job, DateTimeOffset ScheduledAt, DateTimeOffset Started, DateTimeOffset Ended);

    public async Task<int> ExecuteAsync(JobOptions job, DateTimeOffset scheduledAt, CancellationToken stopToken)
    {
        var running = Interlocked.Increment(ref _running);
        int seen;
        while (running > (seen = Volatile.Read(ref _maxRunning)) && Interlocked.CompareExchange(ref _maxRunning, running, seen) != seen)
        {
        }

        var started = DateTimeOffset.UtcNow;
        try
        {
            await Task.Delay(duration, stopToken);
        }
        catch (OperationCanceledException)
        {
            // Stopped: a real run would stop at a safe point here.
        }

        Interlocked.Decrement(ref _running);
        Firings.Enqueue(new Firing(job.Name, scheduledAt, started, DateTimeOffset.UtcNow));
        return 0;
    }
}
