using System.Net;
using System.Text.RegularExpressions;
using UsageBatch.Billing;
using UsageBatch.Cli;
using UsageBatch.Tests.TestSupport;

namespace UsageBatch.Tests.OperatorConsole;

/// <summary>`usagebatch console`: the pages alone over the database, no scheduler, so "run now" says where runs come from.</summary>
public sealed partial class ConsoleVerbTests : IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "usagebatch-console-verb", Guid.NewGuid().ToString("N"));

    [GeneratedRegex(@"console: (http://127\.0\.0\.1:\d+)")]
    private static partial Regex Address();

    [GeneratedRegex("name=\"__af\" value=\"([^\"]+)\"")]
    private static partial Regex Token();

    public ConsoleVerbTests() => Directory.CreateDirectory(_folder);

    private string Config(string console) =>
        WriteConfig($$"""
            {
              "database": { "provider": "sqlite", "connectionString": "Data Source=usage.db" },
              "providers": { "whop": { "type": "whop", "baseUrl": "https://api.whop.com/api/v5", "apiKeyEnv": "UB_UNSET_WHOP_KEY" } },
              "jobs": [ { "name": "whop-nightly", "provider": "whop", "cron": "0 15 3 * * ?" } ],
              "logging": { "directory": "logs" },
              "console": {{console}}
            }
            """);

    private string WriteConfig(string json)
    {
        var path = Path.Combine(_folder, "jobs.json");
        File.WriteAllText(path, json);
        return path;
    }

    [Fact]
    public async Task Console_WithoutScheduler_ServesPagesAndRefusesRunNowSayingWhy()
    {
        var config = Config("""{ "urls": "http://127.0.0.1:0" }""");
        // The console never creates a database (only db init, demo and a first run do).
        Assert.Equal(0, await CliApp.RunAsync(["db", "init", "--config", config], TextWriter.Null, TextWriter.Null, _ => null));
        var output = new SynchronizedWriter();
        using var stop = new CancellationTokenSource();
        // No provider key is set: reading the ledger does not need one.
        var verb = CliApp.RunAsync(["console", "--config", config], output, TextWriter.Null, _ => null, stop.Token);
        await Eventually.TrueAsync(() => Address().IsMatch(output.Text) || verb.IsCompleted, "the console to listen", 15000);
        Assert.False(verb.IsCompleted, output.Text);
        var baseUrl = Address().Match(output.Text).Groups[1].Value;

        using var handler = new HttpClientHandler { CookieContainer = new CookieContainer(), AllowAutoRedirect = false };
        using var http = new HttpClient(handler) { BaseAddress = new Uri(baseUrl) };
        var overview = await http.GetStringAsync("/");
        var post = await http.PostAsync("/jobs/whop-nightly/run", new FormUrlEncodedContent([new("__af", Token().Match(overview).Groups[1].Value)]));
        var refusal = await post.Content.ReadAsStringAsync();
        stop.Cancel();
        var exit = await verb;

        Assert.Contains("console only (no scheduler)", overview, StringComparison.Ordinal);
        Assert.Contains("disabled>Run now</button>", overview, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Conflict, post.StatusCode);
        Assert.Contains("cannot start runs. Run `usagebatch run --job whop-nightly`", refusal, StringComparison.Ordinal);
        Assert.Equal(ExitCodes.Ok, exit);
    }

    [Fact]
    public async Task Console_BeyondLoopbackWithoutKey_ExitsTwoByKeyPath()
    {
        var config = Config("""{ "urls": "http://0.0.0.0:0" }""");
        using var error = new StringWriter();

        var exit = await CliApp.RunAsync(["console", "--config", config], TextWriter.Null, error, _ => null);
        var validate = await CliApp.RunAsync(["validate", "--config", config], TextWriter.Null, error, _ => null);

        Assert.Equal((ExitCodes.BadConfiguration, ExitCodes.BadConfiguration), (exit, validate));
        Assert.Contains("console.authKeyEnv: required because console.urls listens beyond loopback (0.0.0.0:0)", error.ToString(), StringComparison.Ordinal);
    }

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try
        {
            Directory.Delete(_folder, recursive: true);
        }
        catch (IOException)
        {
            // A leftover temp folder is harmless.
        }
    }

    /// <summary>The verb writes from its own task while the test reads.</summary>
    private sealed class SynchronizedWriter : StringWriter
    {
        private readonly Lock _gate = new();

        public string Text
        {
            get
            {
                lock (_gate)
                {
                    return ToString();
                }
            }
        }

        public override void Write(char value)
        {
            lock (_gate)
            {
                base.Write(value);
            }
        }

        public override void Write(string? value)
        {
            lock (_gate)
            {
                base.Write(value);
            }
        }

        public override Task WriteLineAsync(string? value)
        {
            lock (_gate)
            {
                base.WriteLine(value);
            }

            return Task.CompletedTask;
        }
    }
}
