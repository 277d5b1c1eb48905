using System.Diagnostics;

namespace UsageBatch.Tests.Emulator;

public sealed class FaultTests
{
    private const string WhopUsage = """{"membership_id":"mem_Alpha01","billing_item_id":"bi_ApiCalls01","quantity":1}""";

    /// <summary>A client whose first request opens a new connection (the warm-connection case has its own test).</summary>
    private static HttpClient FreshClient(EmulatorHarness emu) => new() { BaseAddress = emu.Server.BaseAddress };

    [Fact]
    public async Task Status_AnswersCannedResponseWithHeadersWithoutProcessing()
    {
        await using var emu = await EmulatorHarness.StartAsync();
        await emu.AddFaultAsync("""{"method":"POST","pathPrefix":"/api/v5/app/billing_usages","action":"status","status":503,"headers":{"Retry-After":"2","X-Fault":"yes"},"body":"{\"message\":\"down\"}"}""");

        using var response = await emu.WhopCreateAsync(WhopUsage);

        Assert.Equal(503, (int)response.StatusCode);
        Assert.Equal("2", response.Headers.GetValues("Retry-After").Single());
        Assert.Equal("yes", response.Headers.GetValues("X-Fault").Single());
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("down", (await EmulatorHarness.ReadJsonAsync(response)).GetProperty("message").GetString());
        Assert.Equal(0, (await emu.LedgerAsync()).GetProperty("whop").GetArrayLength());
    }

    [Fact]
    public async Task Status_ComesBeforeAuth()
    {
        await using var emu = await EmulatorHarness.StartAsync();
        await emu.AddFaultAsync("""{"action":"status","status":500}""");

        using var response = await emu.WhopCreateAsync(WhopUsage, key: null);

        Assert.Equal(500, (int)response.StatusCode);
        Assert.Equal(string.Empty, await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Html_AnswersHtml502Page()
    {
        await using var emu = await EmulatorHarness.StartAsync();
        await emu.AddFaultAsync("""{"pathPrefix":"/api/v2","action":"html"}""");

        using var response = await emu.ChargebeeCreateAsync("sub_Acme", EmulatorHarness.UsageForm());

        Assert.Equal(502, (int)response.StatusCode);
        Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("<h1>502 Bad Gateway</h1>", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(0, (await emu.LedgerAsync()).GetProperty("chargebee").GetArrayLength());
    }

    [Fact]
    public async Task Html_WithStatusAndBody_UsesThem()
    {
        await using var emu = await EmulatorHarness.StartAsync();
        await emu.AddFaultAsync("""{"action":"html","status":503,"body":"<html>maintenance</html>"}""");

        using var response = await emu.WhopGetAsync("app/billing_usages");

        Assert.Equal(503, (int)response.StatusCode);
        Assert.Equal("<html>maintenance</html>", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Delay_ProcessesThenAnswersLate()
    {
        await using var emu = await EmulatorHarness.StartAsync();
        await emu.AddFaultAsync("""{"method":"POST","action":"delay","delayMs":400}""");

        var watch = Stopwatch.StartNew();
        using var response = await emu.WhopCreateAsync(WhopUsage);

        Assert.True(watch.ElapsedMilliseconds >= 350, $"answered after {watch.ElapsedMilliseconds} ms");
        Assert.Equal(201, (int)response.StatusCode);
        Assert.StartsWith("bu_", (await EmulatorHarness.ReadJsonAsync(response)).GetProperty("id").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Delay_ClientTimeout_StillStoresUsage()
    {
        await using var emu = await EmulatorHarness.StartAsync();
        await emu.AddFaultAsync("""{"action":"delay","delayMs":3000}""");
        using var impatient = new HttpClient { BaseAddress = emu.Server.BaseAddress, Timeout = TimeSpan.FromMilliseconds(300) };

        await Assert.ThrowsAnyAsync<TaskCanceledException>(() => impatient.SendAsync(emu.WhopRequest(HttpMethod.Post, "app/billing_usages", WhopUsage)));

        // The client gave up first; the server still processes the request (on a loaded machine, after the timeout).
        var stored = 0;
        for (var i = 0; i < 50 && stored == 0; i++)
        {
            stored = (await emu.LedgerAsync()).GetProperty("whop").GetArrayLength();
            if (stored == 0)
            {
                await Task.Delay(100);
            }
        }

        Assert.Equal(1, stored);
    }

    [Fact]
    public async Task DropBeforeCommit_ThrowsAndStoresNothing()
    {
        await using var emu = await EmulatorHarness.StartAsync();
        await emu.AddFaultAsync("""{"method":"POST","pathPrefix":"/api/v5","action":"drop-before-commit"}""");
        using var client = FreshClient(emu);

        await Assert.ThrowsAsync<HttpRequestException>(() => client.SendAsync(emu.WhopRequest(HttpMethod.Post, "app/billing_usages", WhopUsage)));

        Assert.Equal(0, (await emu.LedgerAsync()).GetProperty("whop").GetArrayLength());
    }

    [Fact]
    public async Task DropAfterCommit_ThrowsButUsageIsStored()
    {
        await using var emu = await EmulatorHarness.StartAsync();
        await emu.AddFaultAsync("""{"method":"POST","pathPrefix":"/api/v2/subscriptions/","action":"drop-after-commit"}""");
        using var client = FreshClient(emu);

        await Assert.ThrowsAsync<HttpRequestException>(() =>
            client.SendAsync(emu.ChargebeeRequest(HttpMethod.Post, "subscriptions/sub_Acme/usages", EmulatorHarness.UsageForm(id: "u-1"))));

        var ledger = await emu.LedgerAsync();
        Assert.Equal("u-1", ledger.GetProperty("chargebee")[0].GetProperty("id").GetString());
        // Chargebee's documented recovery: re-POST the same id and learn it exists.
        using var retry = await emu.ChargebeeCreateAsync("sub_Acme", EmulatorHarness.UsageForm(id: "u-1"));
        await ChargebeeAssert.ErrorAsync(retry, 400, "duplicate_entry", "id");
    }

    [Fact]
    public async Task DropAfterCommit_Whop_UsageIsStored()
    {
        await using var emu = await EmulatorHarness.StartAsync();
        await emu.AddFaultAsync("""{"method":"POST","pathRegex":"^/api/v5/app/billing_usages$","action":"drop-after-commit"}""");
        using var client = FreshClient(emu);

        await Assert.ThrowsAsync<HttpRequestException>(() => client.SendAsync(emu.WhopRequest(HttpMethod.Post, "app/billing_usages", WhopUsage)));

        Assert.Equal(1, (await emu.LedgerAsync()).GetProperty("whop").GetArrayLength());
    }

    [Theory]
    [InlineData("drop-before-commit", 0)]
    [InlineData("drop-after-commit", 1)]
    public async Task Drop_OnWarmPooledConnection_ThrowsAndIsNotResentByHttpClient(string action, int stored)
    {
        await using var emu = await EmulatorHarness.StartAsync();
        using (await emu.WhopGetAsync("app/billing_usages"))
        {
        }

        await emu.AddFaultAsync($$"""{"method":"POST","action":"{{action}}"}""");

        // If SocketsHttpHandler silently re-sent the POST on a new connection, the fault (count 1) would be
        // spent and the resend would succeed: a double usage. It must surface as an exception instead.
        await Assert.ThrowsAsync<HttpRequestException>(() => emu.WhopCreateAsync(WhopUsage));

        Assert.Equal(stored, (await emu.LedgerAsync()).GetProperty("whop").GetArrayLength());
    }

    [Fact]
    public async Task Count_AppliesToNextNMatchingRequestsOnly()
    {
        await using var emu = await EmulatorHarness.StartAsync();
        await emu.AddFaultAsync("""{"method":"POST","pathPrefix":"/api/v5","action":"status","status":503,"count":2}""");

        using var get = await emu.WhopGetAsync("app/billing_usages");
        using var first = await emu.WhopCreateAsync(WhopUsage);
        using var second = await emu.WhopCreateAsync(WhopUsage);
        using var third = await emu.WhopCreateAsync(WhopUsage);

        Assert.Equal(200, (int)get.StatusCode);
        Assert.Equal(503, (int)first.StatusCode);
        Assert.Equal(503, (int)second.StatusCode);
        Assert.Equal(201, (int)third.StatusCode);
    }

    [Fact]
    public async Task Faults_AreConsumedInOrderAdded()
    {
        await using var emu = await EmulatorHarness.StartAsync();
        await emu.AddFaultAsync("""{"action":"status","status":500}""");
        await emu.AddFaultAsync("""{"action":"status","status":502}""");

        using var first = await emu.WhopGetAsync("app/billing_usages");
        using var second = await emu.WhopGetAsync("app/billing_usages");

        Assert.Equal(500, (int)first.StatusCode);
        Assert.Equal(502, (int)second.StatusCode);
    }

    [Fact]
    public async Task PathRegex_OnlyMatchingPathsAreFaulted()
    {
        await using var emu = await EmulatorHarness.StartAsync();
        await emu.AddFaultAsync("""{"pathRegex":"/subscriptions/sub_Globex/","action":"status","status":503}""");

        using var acme = await emu.ChargebeeCreateAsync("sub_Acme", EmulatorHarness.UsageForm());
        using var globex = await emu.ChargebeeCreateAsync("sub_Globex", EmulatorHarness.UsageForm());

        Assert.Equal(200, (int)acme.StatusCode);
        Assert.Equal(503, (int)globex.StatusCode);
    }

    [Fact]
    public async Task Delete_ClearsPendingFaults()
    {
        await using var emu = await EmulatorHarness.StartAsync();
        await emu.AddFaultAsync("""{"action":"status","status":503,"count":10}""");

        using var cleared = await emu.Http.DeleteAsync("_emulator/faults");
        using var response = await emu.WhopGetAsync("app/billing_usages");

        Assert.Equal(200, (int)cleared.StatusCode);
        Assert.Equal(200, (int)response.StatusCode);
    }

    [Fact]
    public async Task ControlEndpoints_AreNeverFaulted()
    {
        await using var emu = await EmulatorHarness.StartAsync();
        await emu.AddFaultAsync("""{"action":"drop-before-commit","count":5}""");

        var ledger = await emu.LedgerAsync();

        Assert.Equal(0, ledger.GetProperty("whop").GetArrayLength());
    }

    [Theory]
    [InlineData("""{"action":"explode"}""")]
    [InlineData("""{"action":"status","pathRegex":"("}""")]
    [InlineData("""not json""")]
    public async Task Add_InvalidFault_Returns400(string json)
    {
        await using var emu = await EmulatorHarness.StartAsync();
        using var response = await emu.Http.PostAsync("_emulator/faults", EmulatorHarness.JsonBody(json));
        Assert.Equal(400, (int)response.StatusCode);
    }
}
