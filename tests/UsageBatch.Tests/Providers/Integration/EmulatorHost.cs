using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using UsageBatch.Configuration;
using UsageBatch.Emulator;
using UsageBatch.Providers;
using UsageBatch.Providers.Pacing;
using UsageBatch.Tests.TestSupport;

namespace UsageBatch.Tests.Providers.Integration;

/// <summary>
/// One in-process emulator per test (own port, own state), plus the control calls and client construction the
/// provider tests share.
/// </summary>
internal sealed class EmulatorHost : IAsyncDisposable
{
    public const string WhopKey = "whop_test_key";
    public const string ChargebeeKey = "cb_test_key";

    /// <summary>Near-zero, deterministic backoff so retry tests take milliseconds.</summary>
    public static readonly Backoff FastBackoff = new(TimeSpan.FromMilliseconds(2), TimeSpan.FromMilliseconds(10), () => 0.5);

    private readonly HttpClient _control;
    private readonly List<IDisposable> _clients = [];

    private EmulatorHost(EmulatorServer server)
    {
        Server = server;
        _control = new HttpClient { BaseAddress = server.BaseAddress };
    }

    public EmulatorServer Server { get; }

    public CapturingLoggerProvider Logs { get; } = new();

    public static async Task<EmulatorHost> StartAsync(Action<EmulatorFixtures>? configure = null)
    {
        var fixtures = EmulatorFixtures.CreateDefault();
        configure?.Invoke(fixtures);
        return new EmulatorHost(await EmulatorServer.StartAsync(new EmulatorOptions { Fixtures = fixtures }));
    }

    public ProviderAccountOptions WhopOptions(Action<ProviderAccountOptions>? configure = null)
    {
        var options = new ProviderAccountOptions
        {
            Type = "whop",
            BaseUrl = Server.WhopBaseUrl.ToString(),
            RequestsPerWindow = 1000,
            Window = TimeSpan.FromSeconds(1),
            Lockout = TimeSpan.FromSeconds(1),
            MaxAttempts = 3,
            Timeout = TimeSpan.FromSeconds(10),
            ClockSkew = TimeSpan.FromSeconds(5),
        };
        configure?.Invoke(options);
        return options;
    }

    public ProviderAccountOptions ChargebeeOptions(Action<ProviderAccountOptions>? configure = null)
    {
        var options = new ProviderAccountOptions
        {
            Type = "chargebee",
            BaseUrl = Server.ChargebeeBaseUrl.ToString(),
            RequestsPerWindow = 1000,
            Window = TimeSpan.FromSeconds(1),
            MaxAttempts = 3,
            Timeout = TimeSpan.FromSeconds(10),
        };
        configure?.Invoke(options);
        return options;
    }

    public IUsageProvider Whop(Action<ProviderAccountOptions>? configure = null, string key = WhopKey, TimeProvider? time = null) =>
        Track(ProviderClientFactory.Create("whop-test", WhopOptions(configure), key, time ?? TimeProvider.System, Logs, FastBackoff));

    public IUsageProvider Chargebee(Action<ProviderAccountOptions>? configure = null, string key = ChargebeeKey, TimeProvider? time = null) =>
        Track(ProviderClientFactory.Create("chargebee-test", ChargebeeOptions(configure), key, time ?? TimeProvider.System, Logs, FastBackoff));

    public IUsageProvider Create(ProviderAccountOptions options, string key, TimeProvider time, Backoff backoff) =>
        Track(ProviderClientFactory.Create("test", options, key, time, Logs, backoff));

    public async Task AddFaultAsync(object fault)
    {
        using var content = new StringContent(JsonSerializer.Serialize(fault), Encoding.UTF8, "application/json");
        using var response = await _control.PostAsync(new Uri("_emulator/faults", UriKind.Relative), content);
        response.EnsureSuccessStatusCode();
    }

    public async Task ClearFaultsAsync()
    {
        using var response = await _control.DeleteAsync(new Uri("_emulator/faults", UriKind.Relative));
        response.EnsureSuccessStatusCode();
    }

    public async Task<JsonArray> LedgerAsync(string provider)
    {
        var text = await _control.GetStringAsync(new Uri("_emulator/ledger", UriKind.Relative));
        return JsonNode.Parse(text)![provider]!.AsArray();
    }

    /// <summary>Records a Chargebee usage behind the client's back (as an admin or an earlier run would have).</summary>
    public async Task AddChargebeeUsageAsync(string subscriptionId, string id, string itemPriceId, string quantity, long usageDate)
    {
        using var content = new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["subscription_id"] = subscriptionId,
            ["id"] = id,
            ["item_price_id"] = itemPriceId,
            ["quantity"] = quantity,
            ["usage_date"] = usageDate.ToString(System.Globalization.CultureInfo.InvariantCulture),
        });
        using var response = await _control.PostAsync(new Uri("_emulator/chargebee/usages", UriKind.Relative), content);
        response.EnsureSuccessStatusCode();
    }

    /// <summary>A loopback port nothing listens on: connecting is refused before anything is written.</summary>
    public static int ClosedPort()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }

    private IUsageProvider Track(IUsageProvider provider)
    {
        _clients.Add((IDisposable)provider);
        return provider;
    }

    public async ValueTask DisposeAsync()
    {
        _clients.ForEach(c => c.Dispose());
        _control.Dispose();
        await Server.DisposeAsync();
    }
}
