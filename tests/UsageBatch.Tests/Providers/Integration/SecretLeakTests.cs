using System.Text;
using UsageBatch.Providers;

namespace UsageBatch.Tests.Providers.Integration;

/// <summary>Invariant I8 (README "Reliability"): no key or Authorization value in logs or outcome messages, whatever the answer.</summary>
public sealed class SecretLeakTests : IAsyncLifetime
{
    private const string WrongWhopKey = "whop_wrong_secret_key_123";
    private const string WrongChargebeeKey = "cb_wrong_secret_key_456";
    private EmulatorHost _host = null!;

    public async Task InitializeAsync() => _host = await EmulatorHost.StartAsync();

    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public async Task AllOutcomes_SuccessAuthFailureServerErrorAndThrottling_NeverExposeKeys()
    {
        var outcomes = new List<ProviderOutcome>();
        var whop = _host.Whop();
        var chargebee = _host.Chargebee();

        outcomes.Add(await whop.SubmitAsync(Some.WhopQuantity(1m), CancellationToken.None));
        outcomes.Add(await chargebee.SubmitAsync(Some.Chargebee(1m), CancellationToken.None));
        outcomes.Add(await _host.Whop(key: WrongWhopKey).SubmitAsync(Some.WhopQuantity(1m), CancellationToken.None));
        outcomes.Add(await _host.Chargebee(key: WrongChargebeeKey).SubmitAsync(Some.Chargebee(1m), CancellationToken.None));

        await _host.AddFaultAsync(new { method = "POST", pathPrefix = "/api/", count = 4, action = "status", status = 500, body = "{\"message\":\"boom\"}" });
        outcomes.Add(await whop.SubmitAsync(Some.WhopQuantity(1m), CancellationToken.None));
        outcomes.Add(await chargebee.SubmitAsync(Some.Chargebee(1m, usageDate: Some.UsageDate.AddSeconds(-5)), CancellationToken.None));
        await _host.ClearFaultsAsync();

        await _host.AddFaultAsync(new { method = "POST", pathPrefix = "/api/", count = 2, action = "status", status = 429, headers = new Dictionary<string, string> { ["Retry-After"] = "0" }, body = "{\"message\":\"You are being rate limited\"}" });
        outcomes.Add(await whop.SubmitAsync(Some.WhopQuantity(2m), CancellationToken.None));
        outcomes.Add(await chargebee.SubmitAsync(Some.Chargebee(2m, usageDate: Some.UsageDate.AddSeconds(-10)), CancellationToken.None));

        Assert.Contains(outcomes, o => o.Kind == OutcomeKind.Fatal);
        Assert.Contains(outcomes, o => o.Kind == OutcomeKind.Unknown);
        Assert.Contains(_host.Logs.Lines, l => l.Contains("throttled", StringComparison.Ordinal));
        var texts = _host.Logs.Lines.Concat(outcomes.Select(o => o.ToString())).ToList();
        Assert.NotEmpty(texts);
        foreach (var secret in Secrets())
        {
            Assert.DoesNotContain(texts, t => t.Contains(secret, StringComparison.Ordinal));
        }

        Assert.DoesNotContain(texts, t => t.Contains("Authorization", StringComparison.OrdinalIgnoreCase));
        Assert.DoesNotContain(texts, t => t.Contains("Bearer", StringComparison.OrdinalIgnoreCase));
    }

    private static IEnumerable<string> Secrets()
    {
        foreach (var key in new[] { EmulatorHost.WhopKey, EmulatorHost.ChargebeeKey, WrongWhopKey, WrongChargebeeKey })
        {
            yield return key;
            yield return Convert.ToBase64String(Encoding.UTF8.GetBytes(key + ":"));
        }
    }
}
