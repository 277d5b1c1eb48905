using UsageBatch.Providers;
using UsageBatch.Providers.Pacing;
using UsageBatch.Tests.TestSupport;

namespace UsageBatch.Tests.Providers.Integration;

public sealed class NotSentTests : IAsyncLifetime
{
    private EmulatorHost _host = null!;

    public async Task InitializeAsync() => _host = await EmulatorHost.StartAsync();

    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Theory]
    [InlineData("whop")]
    [InlineData("chargebee")]
    public async Task SubmitAsync_ConnectionRefused_IsNotSentAfterMaxAttemptsWithBackoffOnTheClock(string type)
    {
        var clock = new ManualTimeProvider();
        var baseUrl = $"http://127.0.0.1:{EmulatorHost.ClosedPort()}/api/{(type == "whop" ? "v5" : "v2")}";
        var options = type == "whop" ? _host.WhopOptions(o => o.BaseUrl = baseUrl) : _host.ChargebeeOptions(o => o.BaseUrl = baseUrl);
        var backoff = new Backoff(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(30), () => 0.0);
        var provider = _host.Create(options, "some_key", clock, backoff);
        var submission = type == "whop" ? Some.WhopQuantity(1m) : Some.Chargebee(1m);

        var submit = provider.SubmitAsync(submission, CancellationToken.None);
        // Drive the manual clock whenever the client is waiting on it, so the backoff costs no real time.
        while (!submit.IsCompleted)
        {
            if (clock.PendingTimers > 0)
            {
                clock.Advance(TimeSpan.FromMinutes(1));
            }

            await Task.Delay(5);
        }

        var outcome = await submit;
        Assert.Equal(OutcomeKind.NotSent, outcome.Kind);
        Assert.Equal(3, outcome.Attempts);
        Assert.Equal([TimeSpan.FromSeconds(0.5), TimeSpan.FromSeconds(1)], clock.RequestedDelays);
    }

    [Fact]
    public async Task SubmitAsync_UnresolvableHost_IsNotSent()
    {
        var provider = _host.Whop(o =>
        {
            o.BaseUrl = "http://usagebatch-test.invalid/api/v5";
            o.MaxAttempts = 1;
        });

        var outcome = await provider.SubmitAsync(Some.WhopQuantity(1m), CancellationToken.None);

        Assert.Equal(OutcomeKind.NotSent, outcome.Kind);
    }

    [Fact]
    public async Task SubmitAsync_StoppedBeforeSending_IsStoppedAndSendsNothing()
    {
        using var cts = new CancellationTokenSource();
        await cts.CancelAsync();

        // A stop is a safe point before the request is written: an outcome (nothing sent), not an exception.
        var outcome = await _host.Whop().SubmitAsync(Some.WhopQuantity(1m), cts.Token);

        Assert.Equal(OutcomeKind.Stopped, outcome.Kind);
        Assert.Empty(await _host.LedgerAsync("whop"));
    }
}
