using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;

namespace UsageBatch.Reliability;

/// <summary>
/// The standalone emulator as a child process (<c>--urls --fixtures --latency-ms</c>), its control endpoints, and the
/// provider-facing list endpoints the checks read (Bearer / Basic auth, paged), not only the control ledger.
/// </summary>
internal sealed class EmulatorProcess : IAsyncDisposable
{
    public const string WhopKey = "whop_test_key";
    public const string ChargebeeKey = "cb_test_key";

    private readonly Process _process;
    private readonly HttpClient _http;

    private EmulatorProcess(Process process, Uri baseAddress)
    {
        _process = process;
        BaseAddress = baseAddress;
        _http = new HttpClient { BaseAddress = baseAddress, Timeout = TimeSpan.FromSeconds(60) };
    }

    public Uri BaseAddress { get; }

    public string WhopBaseUrl => new Uri(BaseAddress, "api/v5").ToString();

    public string ChargebeeBaseUrl => new Uri(BaseAddress, "api/v2").ToString();

    public static async Task<EmulatorProcess> StartAsync(string folder, int latencyMs)
    {
        var fixtures = Path.Combine(folder, "fixtures.json");
        await File.WriteAllTextAsync(fixtures, FixturesJson);
        var address = new Uri($"http://127.0.0.1:{FreePort().ToString(CultureInfo.InvariantCulture)}/");
        var start = new ProcessStartInfo("dotnet")
        {
            UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = folder,
        };
        foreach (var arg in new[] { ReliabilityPaths.EmulatorDll, "--urls", address.ToString().TrimEnd('/'), "--fixtures", fixtures, "--latency-ms", latencyMs.ToString(CultureInfo.InvariantCulture) })
        {
            start.ArgumentList.Add(arg);
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException("the emulator did not start");
        process.OutputDataReceived += static (_, _) => { };
        process.ErrorDataReceived += static (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var emulator = new EmulatorProcess(process, address);
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            try
            {
                using var response = await emulator._http.GetAsync(new Uri("_emulator/ledger", UriKind.Relative));
                if (response.IsSuccessStatusCode)
                {
                    return emulator;
                }
            }
            catch (HttpRequestException) when (DateTime.UtcNow < deadline && !process.HasExited)
            {
                // Not listening yet.
            }

            if (DateTime.UtcNow > deadline || process.HasExited)
            {
                await emulator.DisposeAsync();
                throw new InvalidOperationException($"the emulator did not come up on {address}");
            }

            await Task.Delay(100);
        }
    }

    public async Task AddFaultAsync(FaultSpec fault)
    {
        using var response = await _http.PostAsJsonAsync(new Uri("_emulator/faults", UriKind.Relative), fault.ToJson());
        response.EnsureSuccessStatusCode();
    }

    /// <summary>The matches each programmed fault still has to come (GET /_emulator/faults), keyed like <see cref="FaultSpec.Key"/>.</summary>
    public async Task<Dictionary<string, int>> RemainingFaultsAsync()
    {
        var json = await _http.GetFromJsonAsync<JsonElement>(new Uri("_emulator/faults", UriKind.Relative));
        var remaining = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var f in json.GetProperty("faults").EnumerateArray())
        {
            var key = FaultSpec.KeyOf(f.GetProperty("method").GetString(), f.GetProperty("pathPrefix").GetString(), f.GetProperty("action").GetString(),
                f.TryGetProperty("status", out var st) && st.ValueKind == JsonValueKind.Number ? st.GetInt32() : null);
            remaining[key] = remaining.GetValueOrDefault(key) + f.GetProperty("count").GetInt32();
        }

        return remaining;
    }

    public async Task ClearFaultsAsync()
    {
        using var response = await _http.DeleteAsync(new Uri("_emulator/faults", UriKind.Relative));
        response.EnsureSuccessStatusCode();
    }

    /// <summary>Every Whop usage, paged through GET /api/v5/app/billing_usages with the Bearer key.</summary>
    public async Task<List<ProviderSideUsage>> ListWhopAsync()
    {
        var all = new List<ProviderSideUsage>();
        for (var page = 1; ; page++)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, new Uri($"api/v5/app/billing_usages?page={page.ToString(CultureInfo.InvariantCulture)}&per=50", UriKind.Relative));
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", WhopKey);
            var json = await SendForJsonAsync(request);
            foreach (var u in json.GetProperty("data").EnumerateArray())
            {
                var customer = u.TryGetProperty("membership_id", out var m) && m.ValueKind == JsonValueKind.String ? m.GetString()! : u.GetProperty("company_id").GetString()!;
                var value = u.TryGetProperty("quantity", out var q) && q.ValueKind == JsonValueKind.Number ? q.GetDecimal() : u.GetProperty("amount").GetDecimal();
                all.Add(new ProviderSideUsage("whop", u.GetProperty("id").GetString()!, customer, u.GetProperty("billing_item_id").GetString()!, value));
            }

            if (json.GetProperty("pagination").GetProperty("next_page").ValueKind != JsonValueKind.Number)
            {
                return all;
            }
        }
    }

    /// <summary>Every Chargebee usage, paged through GET /api/v2/usages (limit/next_offset) with the Basic key.</summary>
    public async Task<List<ProviderSideUsage>> ListChargebeeAsync()
    {
        var all = new List<ProviderSideUsage>();
        string? offset = null;
        do
        {
            var query = "api/v2/usages?limit=100" + (offset is null ? "" : "&offset=" + Uri.EscapeDataString(offset));
            using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(query, UriKind.Relative));
            request.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.ASCII.GetBytes(ChargebeeKey + ":")));
            var json = await SendForJsonAsync(request);
            foreach (var entry in json.GetProperty("list").EnumerateArray())
            {
                var u = entry.GetProperty("usage");
                all.Add(new ProviderSideUsage("chargebee", u.GetProperty("id").GetString()!, u.GetProperty("subscription_id").GetString()!,
                    u.GetProperty("item_price_id").GetString()!, decimal.Parse(u.GetProperty("quantity").GetString()!, NumberStyles.Number, CultureInfo.InvariantCulture)));
            }

            offset = json.TryGetProperty("next_offset", out var next) && next.ValueKind == JsonValueKind.String ? next.GetString() : null;
        }
        while (offset is not null);
        return all;
    }

    private async Task<JsonElement> SendForJsonAsync(HttpRequestMessage request)
    {
        using var response = await _http.SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();
        if (response.StatusCode != HttpStatusCode.OK)
        {
            throw new InvalidOperationException($"{request.RequestUri} answered {(int)response.StatusCode}: {body}");
        }

        return JsonDocument.Parse(body).RootElement.Clone();
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public async ValueTask DisposeAsync()
    {
        _http.Dispose();
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                await _process.WaitForExitAsync();
            }
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }

        _process.Dispose();
    }

    // The built-in fixture set (memberships, items, subscriptions) with every limit lifted: these runs are about
    // crashes and faults, not pacing; the Chargebee cap is out of reach so long runs never meet it.
    private const string FixturesJson = """
        {
          "settings": {
            "whop": { "requestsPerWindow": 1000000, "window": "00:00:01", "lockout": "00:00:01" },
            "chargebee": { "requestsPerMinute": 1000000, "maxUsagesPerSubscription": 1000000, "quantityDecimals": 2 }
          },
          "whop": {
            "apiKeys": ["whop_test_key"],
            "companies": ["biz_DemoCo1", "biz_DemoCo2"],
            "memberships": [
              { "id": "mem_Alpha01", "companyId": "biz_DemoCo1" },
              { "id": "mem_Bravo02", "companyId": "biz_DemoCo1" },
              { "id": "mem_Charlie03", "companyId": "biz_DemoCo2" }
            ],
            "billingItems": [
              { "id": "bi_ApiCalls01", "identifier": "api-calls", "type": "structured", "currency": "usd" },
              { "id": "bi_StorageGb02", "identifier": "storage-gb", "type": "structured", "currency": "usd" },
              { "id": "bi_Overage03", "identifier": "overage-usd", "type": "variable", "currency": "usd" }
            ]
          },
          "chargebee": {
            "apiKeys": ["cb_test_key"],
            "subscriptions": [
              { "id": "sub_Acme", "status": "active", "itemPrices": ["api-calls-USD-monthly", "storage-USD-monthly"] },
              { "id": "sub_Globex", "status": "active", "itemPrices": ["api-calls-USD-monthly", "storage-USD-monthly"] },
              { "id": "sub_Initech", "status": "active", "itemPrices": ["api-calls-USD-monthly"] },
              { "id": "sub_Umbrella", "status": "cancelled", "activeFrom": 0, "activeTo": 1700000000, "itemPrices": ["api-calls-USD-monthly"] }
            ]
          }
        }
        """;
}
