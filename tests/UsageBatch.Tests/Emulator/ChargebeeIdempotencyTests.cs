namespace UsageBatch.Tests.Emulator;

public sealed class ChargebeeIdempotencyTests
{
    private static HttpRequestMessage Create(EmulatorHarness emu, string key, Dictionary<string, string> form)
    {
        var request = emu.ChargebeeRequest(HttpMethod.Post, "subscriptions/sub_Acme/usages", form);
        request.Headers.Add("chargebee-idempotency-key", key);
        return request;
    }

    [Fact]
    public async Task Create_SameKeySameBody_ReplaysResponseWithHeaderAndStoresOnce()
    {
        await using var emu = await EmulatorHarness.StartAsync();
        using var first = await emu.Http.SendAsync(Create(emu, "key-1", EmulatorHarness.UsageForm(id: "u-1")));
        var firstBody = await first.Content.ReadAsStringAsync();
        emu.Time.Advance(TimeSpan.FromMinutes(29));

        using var replay = await emu.Http.SendAsync(Create(emu, "key-1", EmulatorHarness.UsageForm(id: "u-1")));

        Assert.Equal(200, (int)replay.StatusCode);
        Assert.Equal("true", replay.Headers.GetValues("chargebee-idempotency-replayed").Single());
        Assert.False(first.Headers.Contains("chargebee-idempotency-replayed"));
        Assert.Equal(firstBody, await replay.Content.ReadAsStringAsync());
        Assert.Equal(1, (await emu.LedgerAsync()).GetProperty("chargebee").GetArrayLength());
    }

    [Fact]
    public async Task Create_SameKeyWithoutId_DoesNotCreateASecondUsage()
    {
        await using var emu = await EmulatorHarness.StartAsync();
        using var first = await emu.Http.SendAsync(Create(emu, "key-1", EmulatorHarness.UsageForm()));
        using var replay = await emu.Http.SendAsync(Create(emu, "key-1", EmulatorHarness.UsageForm()));

        Assert.Equal(200, (int)replay.StatusCode);
        Assert.Equal(1, (await emu.LedgerAsync()).GetProperty("chargebee").GetArrayLength());
    }

    [Fact]
    public async Task Create_ReplayOfError_ReturnsStoredError()
    {
        await using var emu = await EmulatorHarness.StartAsync();
        using var first = await emu.Http.SendAsync(Create(emu, "key-1", EmulatorHarness.UsageForm(quantity: "1.999")));
        using var replay = await emu.Http.SendAsync(Create(emu, "key-1", EmulatorHarness.UsageForm(quantity: "1.999")));

        await ChargebeeAssert.ErrorAsync(replay, 400, "param_wrong_value", "quantity");
        Assert.True(replay.Headers.Contains("chargebee-idempotency-replayed"));
    }

    [Fact]
    public async Task Create_SameKeyDifferentBody_Returns400InvalidRequest()
    {
        await using var emu = await EmulatorHarness.StartAsync();
        using var first = await emu.Http.SendAsync(Create(emu, "key-1", EmulatorHarness.UsageForm(id: "u-1")));
        using var other = await emu.Http.SendAsync(Create(emu, "key-1", EmulatorHarness.UsageForm(id: "u-2")));

        await ChargebeeAssert.ErrorAsync(other, 400, "invalid_request", "chargebee-idempotency-key");
        Assert.Equal(1, (await emu.LedgerAsync()).GetProperty("chargebee").GetArrayLength());
    }

    [Fact]
    public async Task Create_AfterWindow_ProcessesAfresh()
    {
        await using var emu = await EmulatorHarness.StartAsync();
        using var first = await emu.Http.SendAsync(Create(emu, "key-1", EmulatorHarness.UsageForm(id: "u-1")));
        emu.Time.Advance(TimeSpan.FromMinutes(31));

        using var late = await emu.Http.SendAsync(Create(emu, "key-1", EmulatorHarness.UsageForm(id: "u-1")));

        // Not a replay: processed again, and the usage id is what catches the duplicate.
        Assert.False(late.Headers.Contains("chargebee-idempotency-replayed"));
        await ChargebeeAssert.ErrorAsync(late, 400, "duplicate_entry", "id");
    }

    [Fact]
    public async Task Create_KeyTooLong_Returns400()
    {
        await using var emu = await EmulatorHarness.StartAsync();
        using var response = await emu.Http.SendAsync(Create(emu, new string('k', 101), EmulatorHarness.UsageForm()));
        await ChargebeeAssert.ErrorAsync(response, 400, "param_wrong_value", "chargebee-idempotency-key");
    }

    [Fact]
    public async Task Create_FaultedServerError_IsNotStoredSoRetryIsProcessed()
    {
        await using var emu = await EmulatorHarness.StartAsync();
        await emu.AddFaultAsync("""{"method":"POST","pathPrefix":"/api/v2/subscriptions","action":"status","status":503,"body":"{}"}""");

        using var failed = await emu.Http.SendAsync(Create(emu, "key-1", EmulatorHarness.UsageForm(id: "u-1")));
        using var retry = await emu.Http.SendAsync(Create(emu, "key-1", EmulatorHarness.UsageForm(id: "u-1")));

        Assert.Equal(503, (int)failed.StatusCode);
        Assert.Equal(200, (int)retry.StatusCode);
        Assert.False(retry.Headers.Contains("chargebee-idempotency-replayed"));
    }

    [Fact]
    public async Task Delete_SameKey_ReplaysDeletedUsage()
    {
        await using var emu = await EmulatorHarness.StartAsync();
        using var created = await emu.ChargebeeCreateAsync("sub_Acme", EmulatorHarness.UsageForm(id: "u-1"));
        HttpRequestMessage Delete()
        {
            var request = emu.ChargebeeRequest(HttpMethod.Post, "subscriptions/sub_Acme/delete_usage", new Dictionary<string, string> { ["id"] = "u-1" });
            request.Headers.Add("chargebee-idempotency-key", "del-1");
            return request;
        }

        using var first = await emu.Http.SendAsync(Delete());
        using var replay = await emu.Http.SendAsync(Delete());

        Assert.Equal(200, (int)first.StatusCode);
        Assert.Equal(200, (int)replay.StatusCode);
        Assert.True(replay.Headers.Contains("chargebee-idempotency-replayed"));
    }
}
