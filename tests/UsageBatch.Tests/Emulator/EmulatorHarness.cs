using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using UsageBatch.Emulator;
using Microsoft.Extensions.Time.Testing;

namespace UsageBatch.Tests.Emulator;

/// <summary>
/// One emulator on a free loopback port, driven over real HTTP with plain HttpClients (never a product client).
/// Rate limits are effectively off unless a test sets them, and the clock is manual.
/// </summary>
internal sealed class EmulatorHarness : IAsyncDisposable
{
    public const string WhopKey = "whop_test_key";
    public const string ChargebeeKey = "cb_test_key";

    private EmulatorHarness(EmulatorServer server, EmulatorFixtures fixtures, FakeTimeProvider time)
    {
        Server = server;
        Fixtures = fixtures;
        Time = time;
        Http = new HttpClient { BaseAddress = server.BaseAddress, Timeout = TimeSpan.FromSeconds(20) };
    }

    public EmulatorServer Server { get; }

    public EmulatorFixtures Fixtures { get; }

    public FakeTimeProvider Time { get; }

    public HttpClient Http { get; }

    public static async Task<EmulatorHarness> StartAsync(Action<EmulatorFixtures>? configure = null, int latencyMs = 0)
    {
        var fixtures = EmulatorFixtures.CreateDefault();
        fixtures.Settings.Whop.RequestsPerWindow = int.MaxValue;
        fixtures.Settings.Chargebee.RequestsPerMinute = int.MaxValue;
        configure?.Invoke(fixtures);
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 1, 15, 0, 0, 0, TimeSpan.Zero));
        var server = await EmulatorServer.StartAsync(new EmulatorOptions { Fixtures = fixtures, Time = time, LatencyMs = latencyMs });
        return new EmulatorHarness(server, fixtures, time);
    }

    public static string Basic(string key) => Convert.ToBase64String(Encoding.UTF8.GetBytes(key + ":"));

    public static StringContent JsonBody(string json) => new(json, Encoding.UTF8, "application/json");

    public static async Task<JsonElement> ReadJsonAsync(HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync();
        using var document = JsonDocument.Parse(text);
        return document.RootElement.Clone();
    }

    public HttpRequestMessage WhopRequest(HttpMethod method, string pathAndQuery, string? json = null, string? key = WhopKey)
    {
        var request = new HttpRequestMessage(method, "api/v5/" + pathAndQuery);
        if (key is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
        }

        if (json is not null)
        {
            request.Content = JsonBody(json);
        }

        return request;
    }

    public Task<HttpResponseMessage> WhopCreateAsync(string json, string? key = WhopKey) =>
        Http.SendAsync(WhopRequest(HttpMethod.Post, "app/billing_usages", json, key));

    public Task<HttpResponseMessage> WhopGetAsync(string pathAndQuery, string? key = WhopKey) =>
        Http.SendAsync(WhopRequest(HttpMethod.Get, pathAndQuery, null, key));

    public HttpRequestMessage ChargebeeRequest(HttpMethod method, string pathAndQuery, IDictionary<string, string>? form = null, string? key = ChargebeeKey)
    {
        var request = new HttpRequestMessage(method, "api/v2/" + pathAndQuery);
        if (key is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Basic", Basic(key));
        }

        if (form is not null)
        {
            request.Content = new FormUrlEncodedContent(form);
        }

        return request;
    }

    public static Dictionary<string, string> UsageForm(string? id = null, string itemPrice = "api-calls-USD-monthly", string quantity = "1", long usageDate = 1_768_435_200)
    {
        var form = new Dictionary<string, string> { ["item_price_id"] = itemPrice, ["quantity"] = quantity, ["usage_date"] = usageDate.ToString(System.Globalization.CultureInfo.InvariantCulture) };
        if (id is not null)
        {
            form["id"] = id;
        }

        return form;
    }

    public Task<HttpResponseMessage> ChargebeeCreateAsync(string subscriptionId, IDictionary<string, string> form, string? key = ChargebeeKey) =>
        Http.SendAsync(ChargebeeRequest(HttpMethod.Post, $"subscriptions/{subscriptionId}/usages", form, key));

    public Task<HttpResponseMessage> ChargebeeGetAsync(string pathAndQuery, string? key = ChargebeeKey) =>
        Http.SendAsync(ChargebeeRequest(HttpMethod.Get, pathAndQuery, null, key));

    public async Task<JsonElement> LedgerAsync()
    {
        using var response = await Http.GetAsync("_emulator/ledger");
        response.EnsureSuccessStatusCode();
        return await ReadJsonAsync(response);
    }

    public async Task AddFaultAsync(string json)
    {
        using var response = await Http.PostAsync("_emulator/faults", JsonBody(json));
        Assert.Equal(200, (int)response.StatusCode);
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await Server.DisposeAsync();
    }
}
