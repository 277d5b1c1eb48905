namespace UsageBatch.Tests.Emulator;

public sealed class RateLimitTests
{
    private const string WhopUsage = """{"membership_id":"mem_Alpha01","billing_item_id":"bi_ApiCalls01","quantity":1}""";

    [Fact]
    public async Task Whop_OverLimit_Returns429AndLocksOutForTheCooldown()
    {
        await using var emu = await EmulatorHarness.StartAsync(f =>
        {
            f.Settings.Whop.RequestsPerWindow = 3;
            f.Settings.Whop.Window = TimeSpan.FromSeconds(1);
            f.Settings.Whop.Lockout = TimeSpan.FromSeconds(5);
        });

        for (var i = 0; i < 3; i++)
        {
            using var ok = await emu.WhopCreateAsync(WhopUsage);
            Assert.Equal(201, (int)ok.StatusCode);
        }

        using (var limited = await emu.WhopCreateAsync(WhopUsage))
        {
            Assert.Equal(429, (int)limited.StatusCode);
            Assert.Equal("You are being rate limited", (await EmulatorHarness.ReadJsonAsync(limited)).GetProperty("message").GetString());
            Assert.False(limited.Headers.Contains("Retry-After"));
        }

        // The window has long slid past, but the lock-out still refuses everything, reads included.
        emu.Time.Advance(TimeSpan.FromSeconds(3));
        using (var locked = await emu.WhopGetAsync("app/billing_usages"))
        {
            Assert.Equal(429, (int)locked.StatusCode);
        }

        emu.Time.Advance(TimeSpan.FromSeconds(2));
        using (var again = await emu.WhopCreateAsync(WhopUsage))
        {
            Assert.Equal(201, (int)again.StatusCode);
        }

        Assert.Equal(4, (await emu.LedgerAsync()).GetProperty("whop").GetArrayLength());
    }

    [Fact]
    public async Task Whop_WithinLimitOverTime_NeverLimited()
    {
        await using var emu = await EmulatorHarness.StartAsync(f =>
        {
            f.Settings.Whop.RequestsPerWindow = 2;
            f.Settings.Whop.Window = TimeSpan.FromSeconds(1);
        });

        for (var i = 0; i < 6; i++)
        {
            using var ok = await emu.WhopGetAsync("app/billing_usages");
            Assert.Equal(200, (int)ok.StatusCode);
            emu.Time.Advance(TimeSpan.FromMilliseconds(500));
        }
    }

    [Fact]
    public async Task Chargebee_OverLimit_Returns429WithRetryAfterUntilASlotFrees()
    {
        await using var emu = await EmulatorHarness.StartAsync(f =>
        {
            f.Settings.Chargebee.RequestsPerMinute = 2;
            f.Settings.Chargebee.Window = TimeSpan.FromSeconds(10);
        });

        using (var first = await emu.ChargebeeGetAsync("usages"))
        {
            Assert.Equal(200, (int)first.StatusCode);
        }

        emu.Time.Advance(TimeSpan.FromSeconds(3.5));
        using (var second = await emu.ChargebeeGetAsync("usages"))
        {
            Assert.Equal(200, (int)second.StatusCode);
        }

        using (var limited = await emu.ChargebeeCreateAsync("sub_Acme", EmulatorHarness.UsageForm()))
        {
            var body = await ChargebeeAssert.ErrorAsync(limited, 429, "api_request_limit_exceeded", null);
            Assert.Equal("operation_failed", body.GetProperty("type").GetString());
            Assert.Equal("api_request_limit_exceeded", body.GetProperty("error_code").GetString());
            // The first request leaves the window 6.5 s from now: rounded up.
            Assert.Equal("7", limited.Headers.GetValues("Retry-After").Single());
        }

        emu.Time.Advance(TimeSpan.FromSeconds(6.5));
        using (var freed = await emu.ChargebeeCreateAsync("sub_Acme", EmulatorHarness.UsageForm()))
        {
            Assert.Equal(200, (int)freed.StatusCode);
        }

        Assert.Equal(1, (await emu.LedgerAsync()).GetProperty("chargebee").GetArrayLength());
    }

    [Fact]
    public async Task Chargebee_WrongKey_DoesNotSpendQuota()
    {
        await using var emu = await EmulatorHarness.StartAsync(f => f.Settings.Chargebee.RequestsPerMinute = 1);

        for (var i = 0; i < 3; i++)
        {
            using var denied = await emu.ChargebeeGetAsync("usages", key: "bad");
            Assert.Equal(401, (int)denied.StatusCode);
        }

        using var ok = await emu.ChargebeeGetAsync("usages");
        Assert.Equal(200, (int)ok.StatusCode);
    }

    [Fact]
    public async Task ControlEndpoints_AreNeverRateLimited()
    {
        await using var emu = await EmulatorHarness.StartAsync(f => f.Settings.Whop.RequestsPerWindow = 1);
        for (var i = 0; i < 5; i++)
        {
            await emu.LedgerAsync();
        }

        using var ok = await emu.WhopGetAsync("app/billing_usages");
        Assert.Equal(200, (int)ok.StatusCode);
    }
}
