using UsageBatch.Providers;
using UsageBatch.Providers.Chargebee;
using UsageBatch.Providers.Pacing;
using UsageBatch.Providers.Whop;

namespace UsageBatch.Tests.Providers.Integration;

/// <summary>429s from the emulator's shrunk limits (2 per second, 1 s lock-out): each test waits about a second.</summary>
public sealed class ThrottlingTests : IAsyncLifetime
{
    private EmulatorHost _host = null!;

    public async Task InitializeAsync() => _host = await EmulatorHost.StartAsync(f =>
    {
        f.Settings.Whop.RequestsPerWindow = 2;
        f.Settings.Whop.Window = TimeSpan.FromSeconds(1);
        f.Settings.Whop.Lockout = TimeSpan.FromSeconds(1);
        f.Settings.Chargebee.RequestsPerMinute = 2;
        f.Settings.Chargebee.Window = TimeSpan.FromSeconds(1);
    });

    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public async Task SubmitAsync_WhopLockout_PausesTheWholeAccountThenSucceeds()
    {
        // The client is deliberately configured above the emulator's limit so the third request meets a 429.
        var whop = _host.Whop(o => o.RequestsPerWindow = 100);
        await AssertThrottledOnceThenAllConfirmedAsync(whop, ((WhopProvider)whop).Pacer, () => Some.WhopQuantity(1m), "whop");
    }

    [Fact]
    public async Task SubmitAsync_ChargebeeRetryAfter_PausesTheWholeAccountThenSucceeds()
    {
        var chargebee = _host.Chargebee(o => o.RequestsPerWindow = 100);
        var minute = 0;
        await AssertThrottledOnceThenAllConfirmedAsync(
            chargebee, ((ChargebeeProvider)chargebee).Pacer, () => Some.Chargebee(1m, usageDate: Some.UsageDate.AddMinutes(-Interlocked.Increment(ref minute))), "chargebee");
    }

    private async Task AssertThrottledOnceThenAllConfirmedAsync(IUsageProvider provider, ProviderPacer pacer, Func<ProviderSubmission> next, string ledger)
    {
        Assert.Equal(OutcomeKind.Confirmed, (await provider.SubmitAsync(next(), CancellationToken.None)).Kind);
        Assert.Equal(OutcomeKind.Confirmed, (await provider.SubmitAsync(next(), CancellationToken.None)).Kind);

        var throttled = provider.SubmitAsync(next(), CancellationToken.None);
        await TestSupport.Eventually.TrueAsync(() => pacer.PausedUntil > DateTimeOffset.UtcNow, "the 429 to pause the account");
        var pausedUntil = pacer.PausedUntil;

        // Started during the pause by another caller: it must not reach the provider before the pause ends,
        // or it would meet the lock-out too (a second throttle log).
        var concurrent = provider.SubmitAsync(next(), CancellationToken.None);
        var outcomes = await Task.WhenAll(throttled, concurrent);
        var finishedAt = DateTimeOffset.UtcNow;

        Assert.All(outcomes, o => Assert.Equal(OutcomeKind.Confirmed, o.Kind));
        Assert.All(outcomes, o => Assert.Equal(1, o.Attempts));
        Assert.True(finishedAt >= pausedUntil, "the submits finished before the pause ended");
        Assert.Single(_host.Logs.Lines, l => l.Contains("throttled", StringComparison.Ordinal));
        Assert.Equal(4, (await _host.LedgerAsync(ledger)).Count);
    }
}
