using System.Net.Http.Json;
using static UsageBatch.Tests.Emulator.TermHarness;

namespace UsageBatch.Tests.Emulator;

/// <summary>/_emulator/clock: the emulator's time only moves forward, and renewals follow it.</summary>
public sealed class ClockTests
{
    private static readonly long Start = Unix(2026, 1, 15);

    private static async Task<long> NowAsync(EmulatorHarness emu)
    {
        using var response = await emu.Http.GetAsync(new Uri("_emulator/clock", UriKind.Relative));
        Assert.Equal(200, (int)response.StatusCode);
        return (await EmulatorHarness.ReadJsonAsync(response)).GetProperty("now").GetInt64();
    }

    [Fact]
    public async Task Get_AnswersTheInjectedTime()
    {
        await using var emu = await EmulatorHarness.StartAsync();
        Assert.Equal(Start, await NowAsync(emu));
    }

    [Fact]
    public async Task Post_AdvanceSecondsThenTo_MovesNowAndAnswersIt()
    {
        await using var emu = await EmulatorHarness.StartAsync();

        var advanced = await emu.MoveClockAsync("""{"advanceSeconds": 90}""");
        var moved = await emu.MoveClockToAsync(Feb1);
        var same = await emu.MoveClockToAsync(Feb1);

        Assert.Equal(Start + 90, advanced.GetProperty("now").GetInt64());
        Assert.Equal(Feb1, moved.GetProperty("now").GetInt64());
        Assert.Equal(Feb1, same.GetProperty("now").GetInt64());
        Assert.Equal(Feb1, await NowAsync(emu));
        // The provider side sees the moved clock too.
        using var created = await emu.ChargebeeCreateAsync("sub_Acme", EmulatorHarness.UsageForm());
        Assert.Equal(Feb1, (await EmulatorHarness.ReadJsonAsync(created)).GetProperty("usage").GetProperty("created_at").GetInt64());
    }

    [Fact]
    public async Task Post_InjectedClockStillDrivesTime()
    {
        await using var emu = await EmulatorHarness.StartAsync();
        await emu.MoveClockAsync("""{"advanceSeconds": 100}""");

        emu.Time.Advance(TimeSpan.FromSeconds(5));

        Assert.Equal(Start + 105, await NowAsync(emu));
    }

    [Theory]
    [InlineData("""{"advanceSeconds": -1}""")]
    [InlineData("""{"to": 1768435199}""")]
    [InlineData("""{"advanceSeconds": 1.5}""")]
    [InlineData("""{"to": "tomorrow"}""")]
    [InlineData("""{"advanceSeconds": 1, "to": 1768435300}""")]
    [InlineData("""{}""")]
    [InlineData("""[1]""")]
    [InlineData("""not json""")]
    [InlineData("""{"to": 999999999999999}""")]
    public async Task Post_BackwardsOrMalformed_Returns400WithMessageAndKeepsTime(string json)
    {
        await using var emu = await EmulatorHarness.StartAsync();

        using var response = await emu.Http.PostAsync(new Uri("_emulator/clock", UriKind.Relative), EmulatorHarness.JsonBody(json));

        Assert.Equal(400, (int)response.StatusCode);
        Assert.False(string.IsNullOrEmpty((await EmulatorHarness.ReadJsonAsync(response)).GetProperty("message").GetString()));
        Assert.Equal(Start, await NowAsync(emu));
    }

    [Fact]
    public async Task Post_PastATermEnd_RenewsWithoutAnyProviderCall()
    {
        await using var emu = await StartAsync(Metered(pendingInvoices: true));

        await emu.MoveClockToAsync(Feb1);

        var invoice = Assert.Single((await emu.LedgerAsync()).GetProperty("chargebee_invoices").EnumerateArray());
        Assert.Equal(Feb1, invoice.GetProperty("date").GetInt64());
    }

    [Fact]
    public async Task Reset_ClearsTheOffsetAndTheInvoices()
    {
        await using var emu = await StartAsync(Metered(pendingInvoices: true));
        await emu.MoveClockToAsync(Mar1);

        using var reset = await emu.Http.PostAsJsonAsync("_emulator/reset", new { });

        Assert.Equal(200, (int)reset.StatusCode);
        Assert.Equal(Start, await NowAsync(emu));
        Assert.Equal(0, (await emu.LedgerAsync()).GetProperty("chargebee_invoices").GetArrayLength());
        var subscription = (await emu.GetOkAsync("subscriptions/sub_Metered")).GetProperty("subscription");
        Assert.Equal(Jan1, subscription.GetProperty("current_term_start").GetInt64());
    }
}
