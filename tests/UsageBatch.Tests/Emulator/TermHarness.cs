using System.Globalization;
using System.Text.Json;

namespace UsageBatch.Tests.Emulator;

/// <summary>
/// Dates and the emulator's clock. The harness clock starts on 2026-01-15.
/// </summary>
internal static class TermHarness
{
    public static readonly long Jan1 = Unix(2026, 1, 1);
    public static readonly long Feb1 = Unix(2026, 2, 1);
    public static readonly long Mar1 = Unix(2026, 3, 1);

    public static long Unix(int year, int month, int day) =>
        new DateTimeOffset(year, month, day, 0, 0, 0, TimeSpan.Zero).ToUnixTimeSeconds();

    public static async Task<JsonElement> MoveClockAsync(this EmulatorHarness emu, string json)
    {
        using var response = await emu.Http.PostAsync(new Uri("_emulator/clock", UriKind.Relative), EmulatorHarness.JsonBody(json));
        Assert.Equal(200, (int)response.StatusCode);
        return await EmulatorHarness.ReadJsonAsync(response);
    }

    public static Task<JsonElement> MoveClockToAsync(this EmulatorHarness emu, long unixSeconds) =>
        emu.MoveClockAsync($$"""{"to": {{unixSeconds.ToString(CultureInfo.InvariantCulture)}}}""");
}
