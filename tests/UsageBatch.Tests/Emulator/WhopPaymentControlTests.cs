using System.Net.Http.Json;
using System.Text.Json;

namespace UsageBatch.Tests.Emulator;

public sealed class WhopPaymentControlTests
{
    // 8 calls at the default unit price of 1.00: a payment of 8.
    private const string Usage = """{"membership_id":"mem_Alpha01","billing_item_id":"bi_ApiCalls01","quantity":8}""";

    private static async Task<string> PaymentAsync(EmulatorHarness emu)
    {
        using var response = await emu.WhopCreateAsync(Usage);
        return (await EmulatorHarness.ReadJsonAsync(response)).GetProperty("receipt_id").GetString()!;
    }

    private static Task<HttpResponseMessage> PostAsync(EmulatorHarness emu, string path, object? body = null) =>
        body is null ? emu.Http.PostAsync("_emulator/whop/" + path, null) : emu.Http.PostAsJsonAsync("_emulator/whop/" + path, body);

    private static async Task<JsonElement> OkAsync(Task<HttpResponseMessage> call)
    {
        using var response = await call;
        Assert.Equal(200, (int)response.StatusCode);
        return await EmulatorHarness.ReadJsonAsync(response);
    }

    [Fact]
    public async Task Refund_WithoutAmount_RefundsAllAndReadsRefunded()
    {
        await using var emu = await EmulatorHarness.StartAsync();
        var id = await PaymentAsync(emu);
        emu.Time.Advance(TimeSpan.FromHours(1));

        var refunded = await OkAsync(PostAsync(emu, $"payments/{id}/refund"));

        Assert.Equal("refunded", refunded.GetProperty("status").GetString());
        Assert.Equal(8m, refunded.GetProperty("refunded_amount").GetDecimal());
        Assert.Equal(emu.Time.GetUtcNow().ToUnixTimeSeconds(), refunded.GetProperty("refunded_at").GetInt64());
        var listed = await WhopPaymentTests.GetAsync(emu, $"app/payments/{id}");
        Assert.Equal("refunded", listed.GetProperty("status").GetString());
    }

    [Fact]
    public async Task Refund_Partial_StaysPaidUntilTheRestIsRefunded()
    {
        await using var emu = await EmulatorHarness.StartAsync();
        var id = await PaymentAsync(emu);

        var part = await OkAsync(PostAsync(emu, $"payments/{id}/refund", new { amount = 2.5m }));

        Assert.Equal("paid", part.GetProperty("status").GetString());
        Assert.Equal(2.5m, part.GetProperty("refunded_amount").GetDecimal());
        Assert.Equal(8m, part.GetProperty("final_amount").GetDecimal());
        Assert.Equal(JsonValueKind.Number, part.GetProperty("paid_at").ValueKind);
        Assert.Equal(emu.Time.GetUtcNow().ToUnixTimeSeconds(), part.GetProperty("refunded_at").GetInt64());

        var rest = await OkAsync(PostAsync(emu, $"payments/{id}/refund"));
        Assert.Equal("refunded", rest.GetProperty("status").GetString());
        Assert.Equal(8m, rest.GetProperty("refunded_amount").GetDecimal());
    }

    [Theory]
    [InlineData("""{"amount":8.01}""")]
    [InlineData("""{"amount":0}""")]
    [InlineData("""{"amount":"2"}""")]
    [InlineData("[1]")]
    [InlineData("{nope")]
    public async Task Refund_BadAmount_Returns400AndChangesNothing(string json)
    {
        await using var emu = await EmulatorHarness.StartAsync();
        var id = await PaymentAsync(emu);

        using var response = await emu.Http.PostAsync($"_emulator/whop/payments/{id}/refund", EmulatorHarness.JsonBody(json));

        Assert.Equal(400, (int)response.StatusCode);
        Assert.True((await EmulatorHarness.ReadJsonAsync(response)).TryGetProperty("message", out _));
        var payment = await WhopPaymentTests.GetAsync(emu, $"app/payments/{id}");
        Assert.Equal(("paid", 0m), (payment.GetProperty("status").GetString(), payment.GetProperty("refunded_amount").GetDecimal()));
    }

    [Fact]
    public async Task Fail_MarksFailedAndCountsEachAttempt()
    {
        await using var emu = await EmulatorHarness.StartAsync();
        var id = await PaymentAsync(emu);
        emu.Time.Advance(TimeSpan.FromDays(1));

        var failed = await OkAsync(PostAsync(emu, $"payments/{id}/fail"));

        Assert.Equal("failed", failed.GetProperty("status").GetString());
        Assert.Equal(1, failed.GetProperty("payments_failed").GetInt32());
        Assert.Equal(JsonValueKind.Null, failed.GetProperty("paid_at").ValueKind);
        Assert.Equal(emu.Time.GetUtcNow().ToUnixTimeSeconds(), failed.GetProperty("last_payment_attempt").GetInt64());
        Assert.Equal(2, (await OkAsync(PostAsync(emu, $"payments/{id}/fail"))).GetProperty("payments_failed").GetInt32());
        // A failed payment collected nothing, so there is nothing to refund.
        using var refund = await PostAsync(emu, $"payments/{id}/refund");
        Assert.Equal(409, (int)refund.StatusCode);
    }

    [Fact]
    public async Task Fail_RefundedPayment_Returns409()
    {
        await using var emu = await EmulatorHarness.StartAsync();
        var id = await PaymentAsync(emu);
        await OkAsync(PostAsync(emu, $"payments/{id}/refund", new { amount = 1 }));

        using var response = await PostAsync(emu, $"payments/{id}/fail");

        Assert.Equal(409, (int)response.StatusCode);
        Assert.Equal("paid", (await WhopPaymentTests.GetAsync(emu, $"app/payments/{id}")).GetProperty("status").GetString());
    }

    [Theory]
    [InlineData("refund")]
    [InlineData("fail")]
    public async Task RefundOrFail_UnknownPayment_Returns404WithMessage(string action)
    {
        await using var emu = await EmulatorHarness.StartAsync();
        using var response = await PostAsync(emu, $"payments/pay_Nope/{action}");

        Assert.Equal(404, (int)response.StatusCode);
        Assert.False(string.IsNullOrEmpty((await EmulatorHarness.ReadJsonAsync(response)).GetProperty("message").GetString()));
    }

    [Fact]
    public async Task Ledger_ListsPaymentsAndResetClearsThem()
    {
        await using var emu = await EmulatorHarness.StartAsync();
        var id = await PaymentAsync(emu);

        var payments = (await emu.LedgerAsync()).GetProperty("whop_payments");

        Assert.Equal(id, Assert.Single(payments.EnumerateArray().ToList()).GetProperty("id").GetString());
        using (var reset = await emu.Http.PostAsync("_emulator/reset", null))
        {
            Assert.Equal(200, (int)reset.StatusCode);
        }

        Assert.Equal(0, (await emu.LedgerAsync()).GetProperty("whop_payments").GetArrayLength());
        using var gone = await emu.WhopGetAsync($"app/payments/{id}");
        Assert.Equal(404, (int)gone.StatusCode);
    }
}
