using System.Globalization;
using System.Text.Json;
using UsageBatch.Emulator;

namespace UsageBatch.Tests.Emulator;

/// <summary>
/// Subscriptions with terms and the clock that drives them.
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
}
