namespace UsageBatch.Tests.Emulator;

/// <summary>GET /_emulator/faults lists what is left of each fault, so a harness can tell which ones were used.</summary>
public sealed class FaultListTests
{
    [Fact]
    public async Task ListFaults_AfterOneMatch_ShowsEachFaultWithItsRemainingCount()
    {
        await using var emu = await EmulatorHarness.StartAsync();
        await emu.AddFaultAsync("""{"method":"POST","pathPrefix":"/api/v5/app/billing_usages","action":"status","status":503,"count":2}""");
        await emu.AddFaultAsync("""{"method":"GET","pathPrefix":"/api/v2/usages","action":"drop-before-commit","count":1}""");
        using (await emu.WhopCreateAsync("""{"membership_id":"mem_Alpha01","billing_item_id":"bi_ApiCalls01","quantity":1}""")) { }

        using var response = await emu.Http.GetAsync(new Uri("_emulator/faults", UriKind.Relative));
        var json = await EmulatorHarness.ReadJsonAsync(response);

        var faults = json.GetProperty("faults").EnumerateArray().ToList();
        Assert.Equal(2, faults.Count);
        Assert.Equal("POST", faults[0].GetProperty("method").GetString());
        Assert.Equal(503, faults[0].GetProperty("status").GetInt32());
        Assert.Equal(1, faults[0].GetProperty("count").GetInt32());
        Assert.Equal("drop-before-commit", faults[1].GetProperty("action").GetString());
        Assert.Equal(1, faults[1].GetProperty("count").GetInt32());
    }
}
