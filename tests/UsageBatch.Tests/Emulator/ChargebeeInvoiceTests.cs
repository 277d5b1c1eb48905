using System.Text.Json;
using static UsageBatch.Tests.Emulator.TermHarness;

namespace UsageBatch.Tests.Emulator;

/// <summary>The invoice endpoints: retrieve, close, sync_usages and void, their refusals and the gate.</summary>
public sealed class ChargebeeInvoiceTests
{
    private const string NotFoundBody =
        """{"message":"Sorry, we couldn't find that resource","type":"invalid_request","api_error_code":"resource_not_found","error_code":"resource_not_found","error_msg":"Sorry, we couldn't find that resource","http_status_code":404}""";

    /// <summary>Two usages in January, then the clock to February 1st: the id of January's invoice.</summary>
    private static async Task<string> RenewAsync(EmulatorHarness emu)
    {
        await emu.CreateUsageAsync("u-1", Unix(2026, 1, 10), "2");
        await emu.CreateUsageAsync("u-2", Unix(2026, 1, 11), "1", StorageGb);
        await emu.MoveClockToAsync(Feb1);
        return Assert.Single(await emu.InvoicesAsync()).GetProperty("id").GetString()!;
    }

    [Fact]
    public async Task Retrieve_KnownId_ReturnsTheInvoiceEnvelope()
    {
        await using var emu = await StartAsync(Metered(pendingInvoices: false));
        var invoiceId = await RenewAsync(emu);

        var invoice = (await emu.GetOkAsync("invoices/" + invoiceId)).GetProperty("invoice");

        Assert.Equal(invoiceId, invoice.GetProperty("id").GetString());
        Assert.Equal("sub_Metered", invoice.GetProperty("subscription_id").GetString());
        Assert.Equal("tax_exclusive", invoice.GetProperty("price_type").GetString());
        Assert.Equal(Feb1, invoice.GetProperty("due_date").GetInt64());
        Assert.Equal(0, invoice.GetProperty("tax").GetInt64());
        Assert.Equal(13, invoice.GetProperty("amount_due").GetInt64());
        Assert.Equal(0, invoice.GetProperty("amount_paid").GetInt64());
        Assert.True(invoice.GetProperty("term_finalized").GetBoolean());
        Assert.False(invoice.GetProperty("deleted").GetBoolean());
        Assert.False(invoice.TryGetProperty("paid_at", out _));
        Assert.False(invoice.TryGetProperty("voided_at", out _));
    }

    [Theory]
    [InlineData("GET", "invoices/inv_Nope")]
    [InlineData("POST", "invoices/inv_Nope/close")]
    [InlineData("POST", "invoices/inv_Nope/sync_usages")]
    [InlineData("POST", "invoices/inv_Nope/void")]
    [InlineData("GET", "subscriptions/sub_Nope")]
    public async Task UnknownId_Returns404WithTheDocumentedBody(string method, string path)
    {
        await using var emu = await EmulatorHarness.StartAsync();
        var form = method == "POST" ? new Dictionary<string, string>() : null;

        using var response = await emu.Http.SendAsync(emu.ChargebeeRequest(new HttpMethod(method), path, form));

        Assert.Equal(404, (int)response.StatusCode);
        Assert.Equal(NotFoundBody, await response.Content.ReadAsStringAsync());
    }

    [Theory]
    [InlineData("invoices")]
    [InlineData("invoices/inv_Nope")]
    [InlineData("subscriptions/sub_Acme")]
    public async Task WithoutKey_Returns401(string path)
    {
        await using var emu = await EmulatorHarness.StartAsync();
        using var response = await emu.ChargebeeGetAsync(path, key: null);
        await ChargebeeAssert.ErrorAsync(response, 401, "api_authentication_failed", null);
    }

    [Theory]
    [InlineData("close")]
    [InlineData("sync_usages")]
    public async Task CloseOrSync_NotPending_Returns409InvalidState(string action)
    {
        await using var emu = await StartAsync(Metered(pendingInvoices: false));
        var invoiceId = await RenewAsync(emu);

        using var response = await emu.InvoiceActionAsync(invoiceId, action);

        var body = await ChargebeeAssert.ErrorAsync(response, 409, "invalid_state_for_request", null);
        Assert.Equal("Invoice is not in pending state", body.GetProperty("message").GetString());
        Assert.Equal("invalid_request", body.GetProperty("type").GetString());
    }

    [Fact]
    public async Task Close_Pending_PostsWithCommentAndNote()
    {
        await using var emu = await StartAsync(Metered(pendingInvoices: true));
        var invoiceId = await RenewAsync(emu);
        await emu.MoveClockToAsync(Feb1 + 3600);

        using var response = await emu.InvoiceActionAsync(invoiceId, "close", new() { ["comment"] = "usage window over", ["invoice_note"] = "thanks" });

        Assert.Equal(200, (int)response.StatusCode);
        var invoice = (await EmulatorHarness.ReadJsonAsync(response)).GetProperty("invoice");
        Assert.Equal("posted", invoice.GetProperty("status").GetString());
        Assert.Equal(Feb1, invoice.GetProperty("date").GetInt64());
        Assert.Equal(Feb1 + 3600, invoice.GetProperty("updated_at").GetInt64());
        Assert.Equal((Feb1 + 3600) * 1000, invoice.GetProperty("resource_version").GetInt64());
    }

    [Fact]
    public async Task Close_ZeroTotal_IsPaid()
    {
        await using var emu = await StartAsync(Metered(pendingInvoices: true));
        await emu.MoveClockToAsync(Feb1);
        var invoiceId = Assert.Single(await emu.InvoicesAsync()).GetProperty("id").GetString()!;

        var invoice = await emu.InvoiceActionOkAsync(invoiceId, "close");

        Assert.Equal("paid", invoice.GetProperty("status").GetString());
        Assert.Equal(Feb1, invoice.GetProperty("paid_at").GetInt64());
        Assert.Equal(0, invoice.GetProperty("amount_due").GetInt64());
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Void_ClearsTheUsagesLinksAndASecondVoidIs409(bool pendingInvoices)
    {
        await using var emu = await StartAsync(Metered(pendingInvoices));
        var invoiceId = await RenewAsync(emu);
        Assert.Equal(invoiceId, InvoiceId(await emu.UsageAsync("u-1")));

        using var response = await emu.InvoiceActionAsync(invoiceId, "void", new() { ["void_reason_code"] = "wrong-usage", ["comment"] = "re-rated" });

        Assert.Equal(200, (int)response.StatusCode);
        var invoice = (await EmulatorHarness.ReadJsonAsync(response)).GetProperty("invoice");
        Assert.Equal("voided", invoice.GetProperty("status").GetString());
        Assert.Equal(Feb1, invoice.GetProperty("voided_at").GetInt64());
        foreach (var id in new[] { "u-1", "u-2" })
        {
            var usage = await emu.UsageAsync(id);
            Assert.Null(InvoiceId(usage));
            Assert.False(usage.TryGetProperty("line_item_id", out _));
        }

        using var again = await emu.InvoiceActionAsync(invoiceId, "void");
        await ChargebeeAssert.ErrorAsync(again, 409, "invalid_state_for_request", null);
        using var sync = await emu.InvoiceActionAsync(invoiceId, "sync_usages");
        await ChargebeeAssert.ErrorAsync(sync, 409, "invalid_state_for_request", null);
        Assert.Null(InvoiceId(await emu.UsageAsync("u-1")));
    }

    [Fact]
    public async Task Void_OverlongReason_Returns400ParamWrongValue()
    {
        await using var emu = await StartAsync(Metered(pendingInvoices: false));
        var invoiceId = await RenewAsync(emu);

        using var response = await emu.InvoiceActionAsync(invoiceId, "void", new() { ["void_reason_code"] = new string('r', 101) });

        await ChargebeeAssert.ErrorAsync(response, 400, "param_wrong_value", "void_reason_code");
    }

    [Fact]
    public async Task Close_RetriedWithTheSameIdempotencyKey_ReplaysTheAnswer()
    {
        await using var emu = await StartAsync(Metered(pendingInvoices: true));
        var invoiceId = await RenewAsync(emu);

        async Task<HttpResponseMessage> CloseAsync()
        {
            var request = emu.ChargebeeRequest(HttpMethod.Post, $"invoices/{invoiceId}/close", new Dictionary<string, string>());
            request.Headers.Add("chargebee-idempotency-key", "close-1");
            return await emu.Http.SendAsync(request);
        }

        using var first = await CloseAsync();
        using var retry = await CloseAsync();

        Assert.Equal(200, (int)first.StatusCode);
        Assert.Equal(200, (int)retry.StatusCode);
        Assert.True(retry.Headers.Contains("chargebee-idempotency-replayed"));
        Assert.Equal(await first.Content.ReadAsStringAsync(), await retry.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Ledger_ListsTheInvoices()
    {
        await using var emu = await StartAsync(Metered(pendingInvoices: true));
        var invoiceId = await RenewAsync(emu);

        var invoices = (await emu.LedgerAsync()).GetProperty("chargebee_invoices");

        Assert.Equal(JsonValueKind.Array, invoices.ValueKind);
        Assert.Equal(invoiceId, Assert.Single(invoices.EnumerateArray()).GetProperty("id").GetString());
    }
}
