using System.Globalization;
using System.Text.Json;
using UsageBatch.Emulator;

namespace UsageBatch.Tests.Emulator;

/// <summary>
/// Subscriptions with terms and the calls that drive them: the clock, invoice reads and actions, usage reads.
/// The harness clock starts on 2026-01-15, inside a term that runs from January 1st to February 1st.
/// </summary>
internal static class TermHarness
{
    public const string ApiCalls = "api-calls-USD-monthly";
    public const string StorageGb = "storage-USD-monthly";

    public static readonly long Jan1 = Unix(2026, 1, 1);
    public static readonly long Feb1 = Unix(2026, 2, 1);
    public static readonly long Mar1 = Unix(2026, 3, 1);

    public static long Unix(int year, int month, int day) =>
        new DateTimeOffset(year, month, day, 0, 0, 0, TimeSpan.Zero).ToUnixTimeSeconds();

    /// <summary>sub_Metered: active, monthly from January 1st, 5 cents a call, 3 cents a storage unit.</summary>
    public static ChargebeeSubscription Metered(bool pendingInvoices) => new()
    {
        Id = "sub_Metered",
        ItemPrices = [ApiCalls, StorageGb, "extra-USD-monthly"],
        CurrentTermStart = Jan1,
        CreatePendingInvoices = pendingInvoices,
        UnitAmounts = new Dictionary<string, long> { [ApiCalls] = 5, [StorageGb] = 3 },
    };

    public static Task<EmulatorHarness> StartAsync(ChargebeeSubscription subscription) =>
        EmulatorHarness.StartAsync(f => f.Chargebee.Subscriptions.Add(subscription));

    public static async Task<JsonElement> MoveClockAsync(this EmulatorHarness emu, string json)
    {
        using var response = await emu.Http.PostAsync(new Uri("_emulator/clock", UriKind.Relative), EmulatorHarness.JsonBody(json));
        Assert.Equal(200, (int)response.StatusCode);
        return await EmulatorHarness.ReadJsonAsync(response);
    }

    public static Task<JsonElement> MoveClockToAsync(this EmulatorHarness emu, long unixSeconds) =>
        emu.MoveClockAsync($$"""{"to": {{unixSeconds.ToString(CultureInfo.InvariantCulture)}}}""");

    public static async Task CreateUsageAsync(this EmulatorHarness emu, string id, long usageDate, string quantity = "1", string itemPrice = ApiCalls, string subscription = "sub_Metered")
    {
        using var response = await emu.ChargebeeCreateAsync(subscription, EmulatorHarness.UsageForm(id: id, itemPrice: itemPrice, quantity: quantity, usageDate: usageDate));
        Assert.Equal(200, (int)response.StatusCode);
    }

    /// <summary>GET a Chargebee path that must answer 200.</summary>
    public static async Task<JsonElement> GetOkAsync(this EmulatorHarness emu, string pathAndQuery)
    {
        using var response = await emu.ChargebeeGetAsync(pathAndQuery);
        Assert.Equal(200, (int)response.StatusCode);
        return await EmulatorHarness.ReadJsonAsync(response);
    }

    public static async Task<List<JsonElement>> InvoicesAsync(this EmulatorHarness emu, string query = "subscription_id[is]=sub_Metered")
    {
        var body = await emu.GetOkAsync("invoices?" + query);
        return body.GetProperty("list").EnumerateArray().Select(e => e.GetProperty("invoice")).ToList();
    }

    public static async Task<JsonElement> UsageAsync(this EmulatorHarness emu, string id, string subscription = "sub_Metered") =>
        (await emu.GetOkAsync($"subscriptions/{subscription}/usages?id={id}")).GetProperty("usage");

    /// <summary>POST /invoices/{id}/{action} with a form body, as Chargebee's clients send it.</summary>
    public static Task<HttpResponseMessage> InvoiceActionAsync(this EmulatorHarness emu, string invoiceId, string action, Dictionary<string, string>? form = null) =>
        emu.Http.SendAsync(emu.ChargebeeRequest(HttpMethod.Post, $"invoices/{invoiceId}/{action}", form ?? new Dictionary<string, string>()));

    public static async Task<JsonElement> InvoiceActionOkAsync(this EmulatorHarness emu, string invoiceId, string action)
    {
        using var response = await emu.InvoiceActionAsync(invoiceId, action);
        Assert.Equal(200, (int)response.StatusCode);
        return (await EmulatorHarness.ReadJsonAsync(response)).GetProperty("invoice");
    }

    public static JsonElement Line(JsonElement invoice, string itemPrice) =>
        invoice.GetProperty("line_items").EnumerateArray().Single(l => l.GetProperty("entity_id").GetString() == itemPrice);

    public static string? InvoiceId(JsonElement usage) =>
        usage.TryGetProperty("invoice_id", out var id) ? id.GetString() : null;
}
