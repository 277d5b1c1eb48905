using System.Diagnostics;
using UsageBatch.Emulator;

namespace UsageBatch.Tests.Emulator;

public sealed class EmulatorServerTests
{
    [Fact]
    public async Task StartAsync_Defaults_ListensOnLoopbackWithProviderBaseUrls()
    {
        await using var server = await EmulatorServer.StartAsync(new EmulatorOptions());

        Assert.Equal("127.0.0.1", server.BaseAddress.Host);
        Assert.NotEqual(0, server.BaseAddress.Port);
        Assert.EndsWith("/", server.BaseAddress.AbsoluteUri, StringComparison.Ordinal);
        Assert.Equal(server.BaseAddress.AbsoluteUri + "api/v5", server.WhopBaseUrl.AbsoluteUri);
        Assert.Equal(server.BaseAddress.AbsoluteUri + "api/v2", server.ChargebeeBaseUrl.AbsoluteUri);
        using var http = new HttpClient();
        using var response = await http.GetAsync(new Uri(server.BaseAddress, "_emulator/ledger"));
        Assert.Equal(200, (int)response.StatusCode);
    }

    [Theory]
    [InlineData("api/v5/app/nope")]
    [InlineData("api/v2/nope")]
    public async Task UnknownRoute_Returns404WithoutProviderEnvelope(string path)
    {
        await using var emu = await EmulatorHarness.StartAsync();
        using var response = await emu.Http.GetAsync(path);

        // What a wrong baseUrl looks like: the job treats a 404 without the provider's envelope as fatal.
        Assert.Equal(404, (int)response.StatusCode);
        Assert.Equal(string.Empty, await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task StartAsync_FixturesPath_LoadsFile()
    {
        var path = Path.Combine(Path.GetTempPath(), $"emu-fixtures-{Guid.NewGuid():N}.json");
        await File.WriteAllTextAsync(path, """{ "whop": { "apiKeys": ["file_key"] } }""");
        try
        {
            await using var server = await EmulatorServer.StartAsync(new EmulatorOptions { FixturesPath = path });
            using var http = new HttpClient();
            using var request = new HttpRequestMessage(HttpMethod.Get, server.WhopBaseUrl + "/app/billing_usages");
            request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", "file_key");
            using var response = await http.SendAsync(request);
            Assert.Equal(200, (int)response.StatusCode);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public async Task StartAsync_Latency_DelaysProviderCallsButNotControl()
    {
        // A wide margin between the latency and the control-call bound: a loaded CI machine can take a few hundred
        // milliseconds for any request, and the first one also pays for the connection.
        await using var emu = await EmulatorHarness.StartAsync(latencyMs: 1500);
        await emu.LedgerAsync();

        var watch = Stopwatch.StartNew();
        await emu.LedgerAsync();
        var control = watch.ElapsedMilliseconds;
        watch.Restart();
        using var response = await emu.WhopGetAsync("app/billing_usages");
        var provider = watch.ElapsedMilliseconds;

        Assert.Equal(200, (int)response.StatusCode);
        Assert.True(provider >= 1450, $"provider call took {provider} ms");
        Assert.True(control < 1000, $"control call took {control} ms");
    }

    [Fact]
    public async Task Concurrent_Creates_AllStoredAndDateRuleHolds()
    {
        await using var emu = await EmulatorHarness.StartAsync();

        var tasks = Enumerable.Range(0, 40).Select(async i =>
        {
            // Two requests per date: exactly one of each pair may win.
            using var response = await emu.ChargebeeCreateAsync("sub_Acme", EmulatorHarness.UsageForm(usageDate: 1_768_435_200 + (i / 2)));
            return (int)response.StatusCode;
        });
        var statuses = await Task.WhenAll(tasks);

        Assert.Equal(20, statuses.Count(s => s == 200));
        Assert.Equal(20, statuses.Count(s => s == 400));
        Assert.Equal(20, (await emu.LedgerAsync()).GetProperty("chargebee").GetArrayLength());
    }

    [Fact]
    public void Default_Fixtures_MatchTheDemoIds()
    {
        var fixtures = EmulatorFixtures.CreateDefault();

        Assert.Equal(["whop_test_key"], fixtures.Whop.ApiKeys);
        Assert.Equal(["mem_Alpha01", "mem_Bravo02", "mem_Charlie03"], fixtures.Whop.Memberships.Select(m => m.Id));
        Assert.Equal(["bi_ApiCalls01", "bi_StorageGb02", "bi_Overage03"], fixtures.Whop.BillingItems.Select(i => i.Id));
        Assert.Equal(["sub_Acme", "sub_Globex", "sub_Initech", "sub_Umbrella"], fixtures.Chargebee.Subscriptions.Select(s => s.Id));
        Assert.Equal(20, fixtures.Settings.Whop.RequestsPerWindow);
        Assert.Equal(150, fixtures.Settings.Chargebee.RequestsPerMinute);
        Assert.Equal(TimeSpan.FromMinutes(30), fixtures.Settings.Chargebee.IdempotencyWindow);
        Assert.Equal(5000, fixtures.Settings.Chargebee.MaxUsagesPerSubscription);
    }
}
