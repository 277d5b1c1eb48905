using UsageBatch.Providers.Pacing;
using UsageBatch.Tests.TestSupport;

namespace UsageBatch.Tests.Providers.Pacing;

public sealed class ProviderPacerTests
{
    private readonly ManualTimeProvider _clock = new();

    [Fact]
    public async Task AcquireAsync_RequestBeyondWindowLimit_WaitsUntilOldestLeavesWindow()
    {
        using var pacer = new ProviderPacer(requestsPerWindow: 2, TimeSpan.FromSeconds(10), maxInFlight: 10, _clock);
        (await pacer.AcquireAsync(CancellationToken.None)).Dispose();
        _clock.Advance(TimeSpan.FromSeconds(3));
        (await pacer.AcquireAsync(CancellationToken.None)).Dispose();

        var third = pacer.AcquireAsync(CancellationToken.None);
        await Eventually.TrueAsync(() => _clock.PendingTimers == 1, "the third request to wait");
        _clock.Advance(TimeSpan.FromSeconds(6.9));
        Assert.False(third.IsCompleted);

        _clock.Advance(TimeSpan.FromSeconds(0.1));
        (await third.WaitAsync(TimeSpan.FromSeconds(5))).Dispose();

        // The window slides: the second start (t=3 s) still counts until t=13 s.
        var fourth = pacer.AcquireAsync(CancellationToken.None);
        await Eventually.TrueAsync(() => _clock.PendingTimers == 1, "the fourth request to wait");
        _clock.Advance(TimeSpan.FromSeconds(3));
        (await fourth.WaitAsync(TimeSpan.FromSeconds(5))).Dispose();
    }

    [Fact]
    public async Task AcquireAsync_SlotHeldUntilAWindowAfterTheAnswer_SoTheProviderNeverCountsTooMany()
    {
        // The provider counts arrivals, which may come late: a slot frees one window after the answer, not the start.
        using var pacer = new ProviderPacer(requestsPerWindow: 1, TimeSpan.FromSeconds(10), maxInFlight: 10, _clock);
        var first = await pacer.AcquireAsync(CancellationToken.None);
        var second = pacer.AcquireAsync(CancellationToken.None);
        _clock.Advance(TimeSpan.FromSeconds(20));
        await Task.Delay(50);
        Assert.False(second.IsCompleted);

        first.Dispose();
        await Eventually.TrueAsync(() => _clock.PendingTimers == 1, "the second request to wait a window from the answer");
        _clock.Advance(TimeSpan.FromSeconds(9.9));
        Assert.False(second.IsCompleted);
        _clock.Advance(TimeSpan.FromSeconds(0.1));
        (await second.WaitAsync(TimeSpan.FromSeconds(5))).Dispose();
    }

    [Fact]
    public async Task AcquireAsync_MaxInFlightReached_WaitsForALeaseToBeReleased()
    {
        using var pacer = new ProviderPacer(requestsPerWindow: 100, TimeSpan.FromSeconds(1), maxInFlight: 2, _clock);
        var first = await pacer.AcquireAsync(CancellationToken.None);
        using var second = await pacer.AcquireAsync(CancellationToken.None);

        var third = pacer.AcquireAsync(CancellationToken.None);
        await Task.Delay(50);
        Assert.False(third.IsCompleted);
        Assert.Equal(2, pacer.InFlight);

        first.Dispose();
        using var lease = await third.WaitAsync(TimeSpan.FromSeconds(5));
        Assert.Equal(2, pacer.InFlight);
    }

    [Fact]
    public async Task PauseUntil_WhilePaused_StopsEveryCallerUntilThePauseEnds()
    {
        using var pacer = new ProviderPacer(requestsPerWindow: 100, TimeSpan.FromSeconds(1), maxInFlight: 10, _clock);
        pacer.PauseUntil(_clock.GetUtcNow().AddSeconds(5));

        var callers = Enumerable.Range(0, 3).Select(_ => pacer.AcquireAsync(CancellationToken.None)).ToList();
        await Eventually.TrueAsync(() => _clock.PendingTimers == 3, "all callers to wait for the pause");
        _clock.Advance(TimeSpan.FromSeconds(4.9));
        Assert.All(callers, c => Assert.False(c.IsCompleted));

        _clock.Advance(TimeSpan.FromSeconds(0.1));
        foreach (var lease in await Task.WhenAll(callers).WaitAsync(TimeSpan.FromSeconds(5)))
        {
            lease.Dispose();
        }
    }

    [Fact]
    public void PauseUntil_ShorterPause_DoesNotShortenALongerOne()
    {
        using var pacer = new ProviderPacer(1, TimeSpan.FromSeconds(1), 1, _clock);
        var longer = _clock.GetUtcNow().AddSeconds(60);
        pacer.PauseUntil(longer);
        pacer.PauseUntil(_clock.GetUtcNow().AddSeconds(2));
        Assert.Equal(longer, pacer.PausedUntil);
    }

    [Fact]
    public async Task AcquireAsync_CancelledWhileWaiting_ReleasesItsInFlightSlot()
    {
        using var pacer = new ProviderPacer(requestsPerWindow: 100, TimeSpan.FromSeconds(1), maxInFlight: 1, _clock);
        pacer.PauseUntil(_clock.GetUtcNow().AddMinutes(1));
        using var cts = new CancellationTokenSource();
        var waiting = pacer.AcquireAsync(cts.Token);
        await cts.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => waiting);
        Assert.Equal(0, pacer.InFlight);
    }
}
