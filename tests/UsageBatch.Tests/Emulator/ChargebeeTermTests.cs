using static UsageBatch.Tests.Emulator.TermHarness;

namespace UsageBatch.Tests.Emulator;

/// <summary>Renewals: the ended term's invoice, which usages it takes, and which it never will.</summary>
public sealed class ChargebeeTermTests
{
    [Fact]
    public async Task Renewal_PendingInvoices_OneLinePerItemPriceCarryingTheUsages()
    {
        await using var emu = await StartAsync(Metered(pendingInvoices: true));
        await emu.CreateUsageAsync("u-1", Unix(2026, 1, 10), "1.25");
        await emu.CreateUsageAsync("u-2", Unix(2026, 1, 14), "2");
        await emu.CreateUsageAsync("u-3", Unix(2026, 1, 20), "2.50", StorageGb);
        Assert.Empty(await emu.InvoicesAsync());

        await emu.MoveClockToAsync(Feb1 + 60);

        var invoice = Assert.Single(await emu.InvoicesAsync());
        Assert.StartsWith("inv_", invoice.GetProperty("id").GetString(), StringComparison.Ordinal);
        Assert.Equal("pending", invoice.GetProperty("status").GetString());
        Assert.Equal(Feb1, invoice.GetProperty("date").GetInt64());
        Assert.Equal(Feb1, invoice.GetProperty("generated_at").GetInt64());
        Assert.True(invoice.GetProperty("recurring").GetBoolean());
        Assert.Equal("cust_sub_Metered", invoice.GetProperty("customer_id").GetString());
        Assert.Equal("USD", invoice.GetProperty("currency_code").GetString());
        Assert.Equal("invoice", invoice.GetProperty("object").GetString());
        Assert.Equal([ApiCalls, StorageGb], invoice.GetProperty("line_items").EnumerateArray().Select(l => l.GetProperty("entity_id").GetString()));

        var calls = Line(invoice, ApiCalls);
        Assert.StartsWith("li_", calls.GetProperty("id").GetString(), StringComparison.Ordinal);
        Assert.Equal(Jan1, calls.GetProperty("date_from").GetInt64());
        Assert.Equal(Feb1, calls.GetProperty("date_to").GetInt64());
        Assert.Equal("3.25", calls.GetProperty("quantity_in_decimal").GetString());
        Assert.False(calls.TryGetProperty("quantity", out _));
        Assert.Equal(5, calls.GetProperty("unit_amount").GetInt64());
        Assert.Equal(16, calls.GetProperty("amount").GetInt64()); // 16.25 cents
        Assert.True(calls.GetProperty("metered").GetBoolean());
        Assert.Equal("addon_item_price", calls.GetProperty("entity_type").GetString());
        Assert.Equal("line_item", calls.GetProperty("object").GetString());
        var storage = Line(invoice, StorageGb);
        Assert.Equal("2.50", storage.GetProperty("quantity_in_decimal").GetString());
        Assert.Equal(8, storage.GetProperty("amount").GetInt64()); // 7.5 cents, half away from zero
        Assert.Equal(24, invoice.GetProperty("sub_total").GetInt64());
        Assert.Equal(24, invoice.GetProperty("total").GetInt64());
        Assert.Equal(24, invoice.GetProperty("amount_due").GetInt64());

        var invoiceId = invoice.GetProperty("id").GetString();
        Assert.Equal(invoiceId, InvoiceId(await emu.UsageAsync("u-1")));
        Assert.Equal(calls.GetProperty("id").GetString(), (await emu.UsageAsync("u-2")).GetProperty("line_item_id").GetString());
        Assert.Equal(storage.GetProperty("id").GetString(), (await emu.UsageAsync("u-3")).GetProperty("line_item_id").GetString());
    }

    [Fact]
    public async Task UsageIntoPendingTerm_IsAttachedOnlyBySyncOrClose()
    {
        await using var emu = await StartAsync(Metered(pendingInvoices: true));
        await emu.CreateUsageAsync("u-1", Unix(2026, 1, 10), "1.25");
        await emu.MoveClockToAsync(Feb1);
        var invoiceId = Assert.Single(await emu.InvoicesAsync()).GetProperty("id").GetString()!;

        await emu.CreateUsageAsync("late-1", Unix(2026, 1, 25), "0.75");
        Assert.Null(InvoiceId(await emu.UsageAsync("late-1")));

        var synced = await emu.InvoiceActionOkAsync(invoiceId, "sync_usages");
        Assert.Equal("pending", synced.GetProperty("status").GetString());
        Assert.Equal("2.00", Line(synced, ApiCalls).GetProperty("quantity_in_decimal").GetString());
        Assert.Equal(2, Line(synced, ApiCalls).GetProperty("quantity").GetInt64());
        Assert.Equal(invoiceId, InvoiceId(await emu.UsageAsync("late-1")));

        await emu.CreateUsageAsync("late-2", Unix(2026, 1, 26), "3", StorageGb);
        var closed = await emu.InvoiceActionOkAsync(invoiceId, "close");
        Assert.Equal("posted", closed.GetProperty("status").GetString());
        Assert.Equal(9, Line(closed, StorageGb).GetProperty("amount").GetInt64());
        Assert.Equal(19, closed.GetProperty("total").GetInt64());
        Assert.Equal(invoiceId, InvoiceId(await emu.UsageAsync("late-2")));

        // Closed: a usage dated in that term is still stored, and never billed.
        await emu.CreateUsageAsync("too-late", Unix(2026, 1, 27), "1");
        Assert.Null(InvoiceId(await emu.UsageAsync("too-late")));
    }

    [Fact]
    public async Task UsageIntoClosedTerm_IsStoredAndNeverAttached()
    {
        await using var emu = await StartAsync(Metered(pendingInvoices: false));
        await emu.CreateUsageAsync("u-1", Unix(2026, 1, 10), "2");
        await emu.MoveClockToAsync(Feb1);
        var january = Assert.Single(await emu.InvoicesAsync());
        Assert.Equal("posted", january.GetProperty("status").GetString());
        Assert.Equal(10, january.GetProperty("total").GetInt64());

        await emu.CreateUsageAsync("late", Unix(2026, 1, 20), "5");
        await emu.MoveClockToAsync(Mar1);

        Assert.Null(InvoiceId(await emu.UsageAsync("late")));
        var invoices = await emu.InvoicesAsync();
        Assert.Equal(2, invoices.Count);
        Assert.Equal(10, invoices[0].GetProperty("total").GetInt64());
        // February had no usages: its invoice exists, without lines, and a zero total is paid at once.
        Assert.Equal(Mar1, invoices[1].GetProperty("date").GetInt64());
        Assert.Equal(0, invoices[1].GetProperty("line_items").GetArrayLength());
        Assert.Equal("paid", invoices[1].GetProperty("status").GetString());
    }

    [Fact]
    public async Task CancelledInsideTerm_FinalInvoiceEndsAtCancellationAndLaterUsagesAreNeverBilled()
    {
        var subscription = Metered(pendingInvoices: true);
        subscription.ActiveTo = Unix(2026, 1, 20);
        await using var emu = await StartAsync(subscription);
        await emu.CreateUsageAsync("before", Unix(2026, 1, 10), "1");
        await emu.CreateUsageAsync("after", Unix(2026, 1, 25), "1");

        await emu.MoveClockToAsync(Mar1);

        var invoice = Assert.Single(await emu.InvoicesAsync());
        Assert.Equal(Unix(2026, 1, 20), invoice.GetProperty("date").GetInt64());
        Assert.Equal(Unix(2026, 1, 20), Line(invoice, ApiCalls).GetProperty("date_to").GetInt64());
        Assert.Equal("1", Line(invoice, ApiCalls).GetProperty("quantity_in_decimal").GetString());
        Assert.Equal(invoice.GetProperty("id").GetString(), InvoiceId(await emu.UsageAsync("before")));

        var synced = await emu.InvoiceActionOkAsync(invoice.GetProperty("id").GetString()!, "sync_usages");
        Assert.Equal("1", Line(synced, ApiCalls).GetProperty("quantity_in_decimal").GetString());
        Assert.Null(InvoiceId(await emu.UsageAsync("after")));
        var status = (await emu.GetOkAsync("subscriptions/sub_Metered")).GetProperty("subscription").GetProperty("status").GetString();
        Assert.Equal("cancelled", status);
    }

    [Fact]
    public async Task ClockSeveralTermsAhead_InvoicesEveryTermWithMonthEndsKept()
    {
        var subscription = Metered(pendingInvoices: false);
        subscription.CurrentTermStart = Unix(2025, 12, 31);
        await using var emu = await StartAsync(subscription);

        await emu.MoveClockToAsync(Unix(2026, 4, 1));

        var dates = (await emu.InvoicesAsync()).Select(i => i.GetProperty("date").GetInt64());
        // Anchored on the 31st: the last day of a shorter month, then the 31st again.
        Assert.Equal([Unix(2026, 1, 31), Unix(2026, 2, 28), Unix(2026, 3, 31)], dates);
    }

    [Fact]
    public async Task NoTermsModelled_NeverInvoices()
    {
        await using var emu = await EmulatorHarness.StartAsync();
        await emu.CreateUsageAsync("u-1", Unix(2026, 1, 10), subscription: "sub_Acme");

        await emu.MoveClockAsync("""{"advanceSeconds": 31536000}""");

        Assert.Empty(await emu.InvoicesAsync(""));
        Assert.Null(InvoiceId(await emu.UsageAsync("u-1", "sub_Acme")));
    }
}
