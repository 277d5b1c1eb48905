using Dapper;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Playwright;
using UsageBatch.Storage;
using UsageBatch.Cli;
using UsageBatch.Configuration;
using UsageBatch.Hosting;
using UsageBatch.OperatorConsole;
using UsageBatch.Storage.Sqlite;
using UsageBatch.Tests.Hosting;

namespace UsageBatch.Tests.OperatorConsole;

/// <summary>
/// A database that real runs filled (`demo` against its in-process emulator, twice, with a script-bearing row, a
/// re-queued billed row that ends held, and a row with too many decimals in between), a `serve` host with the
/// console on a free loopback port behind an access key, and Debian's chromium driven by Playwright.
/// </summary>
public sealed class ConsoleWorld : IAsyncLifetime
{
    public const string KeyEnv = "UB_TEST_CONSOLE_KEY";
    public const string Key = "console-test-key-0123456789";
    public const string ScriptMember = "<script>alert('member')</script>";
    public const string ScriptNote = "<script>alert(\"note\")</script>";

    private IHost? _host;

    public string Folder { get; } = Path.Combine(Path.GetTempPath(), "usagebatch-console", Guid.NewGuid().ToString("N"));

    public string ConfigPath => Path.Combine(Folder, "jobs.json");

    public string DatabasePath => Path.Combine(Folder, "data", "usagebatch.db");

    /// <summary>Where screenshots go: the test's output folder (bin/ is git-ignored).</summary>
    public static string Screenshots { get; } = Path.Combine(AppContext.BaseDirectory, "screenshots");

    internal RecordingExecutor Executor { get; } = new(TimeSpan.FromMilliseconds(300));

    public string BaseUrl { get; private set; } = "";

    public IPlaywright Playwright { get; private set; } = null!;

    public IBrowser Browser { get; private set; } = null!;

    internal AppOptions Options { get; private set; } = null!;

    public static string? Environment(string name) => name == KeyEnv ? Key : null;

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(Folder);
        Directory.CreateDirectory(Screenshots);
        await File.WriteAllTextAsync(ConfigPath, """
            {
              "database": { "provider": "sqlite", "connectionString": "Data Source=data/usagebatch.db" },
              "providers": {
                "whop": { "type": "whop", "baseUrl": "https://api.whop.com/api/v5", "apiKeyEnv": "WHOP_API_KEY", "currency": "USD" },
                "chargebee": { "type": "chargebee", "site": "acme-test", "apiKeyEnv": "CHARGEBEE_API_KEY" }
              },
              "jobs": [
                { "name": "whop-nightly", "provider": "whop", "cron": "0 15 3 * * ?" },
                { "name": "chargebee-nightly", "provider": "chargebee", "cron": "0 45 3 * * ?", "timeZone": "Europe/Berlin" }
              ],
              "scheduler": { "store": "memory" },
              "reports": { "directory": "reports" },
              "logging": { "directory": "logs" },
              "console": { "urls": "http://127.0.0.1:0", "authKeyEnv": "UB_TEST_CONSOLE_KEY" }
            }
            """);

        await DemoAsync();
        await using (var connection = new SqliteConnection($"Data Source={DatabasePath}"))
        {
            var at = DateTimeOffset.UtcNow.AddHours(-3).UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture);
            // A membership id and a note that are markup: every page must show them as text.
            await connection.ExecuteAsync(
                "INSERT INTO whop_usage (source_key, membership_id, billing_item_id, quantity, occurred_at) VALUES ('console-script-member', @Member, 'bi_ApiCalls01', '3', @At)",
                new { Member = ScriptMember, At = at });
            await connection.ExecuteAsync(
                "INSERT INTO chargebee_usage (source_key, subscription_id, item_price_id, quantity, occurred_at, note) VALUES ('console-script-note', 'sub_Acme', 'api-calls-USD-monthly', '1.234', @At, @Note)",
                new { Note = ScriptNote, At = at });
            // A billed row set back to pending: the next run holds it until `usagebatch requeue` checks the provider.
            await connection.ExecuteAsync("UPDATE whop_usage SET billing_status = 'pending' WHERE id = (SELECT MIN(id) FROM whop_usage WHERE billing_status = 'billed')");
        }

        await DemoAsync();

        Options = ConfigLoader.Load(ConfigPath);
        var store = new BillingStore(new SqliteDialect(new SqliteDatabase(Options.Database.ConnectionString!)));
        _host = ServeHost.Build(Options, store, null, Serilog.Core.Logger.None, _ => Executor,
            services => services.AddOperatorConsole(Options, store, Environment));
        await _host.StartAsync();
        var console = _host.Services.GetServices<IHostedService>().OfType<ConsoleHostedService>().Single();
        BaseUrl = console.Addresses.Single().TrimEnd('/');

        Playwright = await Microsoft.Playwright.Playwright.CreateAsync();
        Browser = await Playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = "/usr/bin/chromium",
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
        });
    }

    private async Task DemoAsync()
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var exit = await CliApp.RunAsync(["demo", "--config", ConfigPath], output, error, _ => null);
        Assert.True(exit is 0 or 1, $"demo exited {exit}: {output}{error}");
    }

    /// <summary>A fresh browser context (no cookies) with a 1280-wide window.</summary>
    public Task<IBrowserContext> NewContextAsync() =>
        Browser.NewContextAsync(new BrowserNewContextOptions { ViewportSize = new ViewportSize { Width = 1366, Height = 900 }, BaseURL = BaseUrl });

    /// <summary>Signs in through the form, as a person would.</summary>
    public static async Task SignInAsync(IPage page, string key = Key)
    {
        await page.GotoAsync("/");
        await page.FillAsync("input[name=key]", key);
        await page.ClickAsync("button[type=submit]");
    }

    public static Task ShotAsync(IPage page, string name) =>
        page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(Screenshots, name + ".png"), FullPage = true });

    public async Task DisposeAsync()
    {
        if (Browser is not null)
        {
            await Browser.DisposeAsync();
        }

        Playwright?.Dispose();
        if (_host is not null)
        {
            await _host.StopAsync();
            _host.Dispose();
        }

        SqliteConnection.ClearAllPools();
        try
        {
            Directory.Delete(Folder, recursive: true);
        }
        catch (IOException)
        {
            // A leftover temp folder is harmless.
        }
    }
}
