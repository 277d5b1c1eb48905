using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using UsageBatch.Emulator.Chargebee;
using UsageBatch.Emulator.Control;
using UsageBatch.Emulator.Faults;
using UsageBatch.Emulator.Whop;

namespace UsageBatch.Emulator;

/// <summary>
/// A real Kestrel server speaking the Whop v5 and Chargebee v2 usage APIs plus the /_emulator control endpoints.
/// Start one per test (a free loopback port) or standalone via Program.
/// </summary>
public sealed class EmulatorServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private bool _stopped;

    private EmulatorServer(WebApplication app, Uri baseAddress)
    {
        _app = app;
        BaseAddress = baseAddress;
        WhopBaseUrl = new Uri(baseAddress, "api/v5");
        ChargebeeBaseUrl = new Uri(baseAddress, "api/v2");
    }

    /// <summary>http://127.0.0.1:PORT/</summary>
    public Uri BaseAddress { get; }

    /// <summary>BaseAddress + "api/v5", no trailing slash (what a Whop client's baseUrl holds).</summary>
    public Uri WhopBaseUrl { get; }

    /// <summary>BaseAddress + "api/v2", no trailing slash (what a Chargebee client's baseUrl holds).</summary>
    public Uri ChargebeeBaseUrl { get; }

    /// <summary>The API root of the provider whose account <c>type</c> is <paramref name="providerType"/>.</summary>
    public Uri BaseUrlFor(string providerType) => providerType.ToLowerInvariant() switch
    {
        "whop" => WhopBaseUrl,
        "chargebee" => ChargebeeBaseUrl,
        _ => throw new ArgumentOutOfRangeException(nameof(providerType), providerType, "the emulator has no room for this provider"),
    };

    public static async Task<EmulatorServer> StartAsync(EmulatorOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        var fixtures = options.Fixtures
            ?? (options.FixturesPath is { } path ? FixtureLoader.Load(path) : EmulatorFixtures.CreateDefault());
        if (FixtureCheck.Problem(fixtures) is { } problem)
        {
            throw new ArgumentException(problem, nameof(options));
        }

        var state = new EmulatorState(fixtures, options.Time);

        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions
        {
            Args = [],
            ApplicationName = typeof(EmulatorServer).Assembly.GetName().Name,
            ContentRootPath = AppContext.BaseDirectory,
        });
        // The emulator is a test double: its own request logs would only drown the job's.
        builder.Logging.ClearProviders();
        // Never take over the process's Ctrl+C/SIGTERM: in-process the job owns them, standalone Program does.
        builder.Services.AddSingleton<IHostLifetime, EmbeddedLifetime>();
        builder.WebHost.UseUrls(options.Urls ?? "http://127.0.0.1:0");

        var app = builder.Build();
        app.UseMiddleware<FaultMiddleware>(state, options.LatencyMs);
        app.MapWhop(state);
        app.MapChargebee(state);
        app.MapControl(state);

        await app.StartAsync(cancellationToken);
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new EmulatorServer(app, new Uri(address.TrimEnd('/') + "/"));
    }

    public async Task StopAsync(CancellationToken cancellationToken = default)
    {
        if (!_stopped)
        {
            _stopped = true;
            await _app.StopAsync(cancellationToken);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        await _app.DisposeAsync();
    }
}
