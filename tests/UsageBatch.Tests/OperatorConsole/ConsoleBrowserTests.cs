using System.Text.Json;
using Microsoft.Playwright;
using UsageBatch.Tests.TestSupport;

namespace UsageBatch.Tests.OperatorConsole;

/// <summary>
/// The operator console in a real browser (Debian's chromium through Playwright) over a database real runs filled.
/// Screenshots of every page land in the test output's screenshots/ folder.
/// </summary>
public sealed class ConsoleBrowserTests(ConsoleWorld world) : IClassFixture<ConsoleWorld>
{
    [Fact]
    public async Task ClickThrough_OverviewRunReportExceptions_ShowsTheRunsAndEveryDatabaseValueAsText()
    {
        await using var context = await world.NewContextAsync();
        var page = await context.NewPageAsync();
        var dialogs = 0;
        page.Dialog += (_, dialog) =>
        {
            dialogs++;
            _ = dialog.DismissAsync();
        };
        var blocked = new List<string>();
        page.Console += (_, message) => blocked.Add(message.Text);

        await ConsoleWorld.SignInAsync(page);
        await Assertions.Expect(page.Locator("h1")).ToHaveTextAsync("Overview");
        await Assertions.Expect(page.Locator("table.jobs")).ToContainTextAsync("whop-nightly");
        await Assertions.Expect(page.Locator("table.jobs")).ToContainTextAsync("every day at 03:15");
        await Assertions.Expect(page.Locator("table.jobs")).ToContainTextAsync("Europe/Berlin");
        await Assertions.Expect(page.Locator("ul.attention")).ToContainTextAsync("1 row held in whop_usage");
        await ConsoleWorld.ShotAsync(page, "1-overview");

        // Overview -> the whop job's last run -> its report facts.
        await page.Locator("table.jobs tr", new() { HasText = "whop-nightly" }).Locator("a", new() { HasTextRegex = new("^run \\d+$") }).ClickAsync();
        await Assertions.Expect(page.Locator("h1")).ToContainTextAsync("whop-nightly");
        await Assertions.Expect(page.Locator("body")).ToContainTextAsync("Control check: billed rows vs totals the provider echoed");
        await Assertions.Expect(page.Locator("body")).ToContainTextAsync(ConsoleWorld.ScriptMember);
        await ConsoleWorld.ShotAsync(page, "2-run");

        // The run's report file as finance opens it, served with a policy that allows its one style block only.
        await page.ClickAsync("text=HTML");
        await Assertions.Expect(page.Locator("h1")).ToContainTextAsync("UsageBatch run report: whop-nightly");
        await Assertions.Expect(page.Locator("body")).ToContainTextAsync(ConsoleWorld.ScriptMember);
        Assert.Equal("collapse", await page.EvaluateAsync<string>("getComputedStyle(document.querySelector('table')).borderCollapse"));
        await ConsoleWorld.ShotAsync(page, "3-report");
        await page.GoBackAsync();

        await page.ClickAsync("header nav >> text=Exceptions");
        await Assertions.Expect(page.Locator("h1")).ToHaveTextAsync("Exceptions");
        await Assertions.Expect(page.Locator("main")).ToContainTextAsync(ConsoleWorld.ScriptMember);
        await Assertions.Expect(page.Locator("main")).ToContainTextAsync(ConsoleWorld.ScriptNote);
        await Assertions.Expect(page.Locator("main")).ToContainTextAsync("usagebatch requeue --table whop_usage --row");
        await Assertions.Expect(page.Locator("main")).ToContainTextAsync("UPDATE chargebee_usage SET billing_status = 'pending' WHERE id =");
        await ConsoleWorld.ShotAsync(page, "4-exceptions");

        await page.ClickAsync("header nav >> text=Runs");
        await Assertions.Expect(page.Locator("main table tbody tr")).ToHaveCountAsync(4);
        await page.SelectOptionAsync("select[name=job]", "chargebee-nightly");
        await page.ClickAsync("text=Filter");
        await Assertions.Expect(page.Locator("main table tbody tr")).ToHaveCountAsync(2);
        await ConsoleWorld.ShotAsync(page, "5-runs");

        await page.ClickAsync("header nav >> text=Scheduler");
        await Assertions.Expect(page.Locator("main")).ToContainTextAsync("Triggers");
        await Assertions.Expect(page.Locator("main")).ToContainTextAsync("0 45 3 * * ? (Europe/Berlin), misfire catchUpOnce");
        await ConsoleWorld.ShotAsync(page, "6-scheduler");

        Assert.Equal(0, dialogs);
        Assert.Equal(0, await page.Locator("script").CountAsync());
    }

    [Fact]
    public async Task RunNow_WithoutCredentialsRefused_WithCredentialsQueuedOnTheScheduler()
    {
        // Without credentials: the page sends a browser to sign in, a bare POST is refused and nothing is queued.
        await using var anonymous = await world.NewContextAsync();
        var page = await anonymous.NewPageAsync();
        await page.GotoAsync("/");
        Assert.EndsWith("/login?return=%2F", page.Url, StringComparison.Ordinal);
        var bare = await anonymous.APIRequest.PostAsync("/jobs/whop-nightly/run");
        Assert.Equal(401, bare.Status);
        await ConsoleWorld.SignInAsync(page, "not-the-key-at-all");
        await Assertions.Expect(page.Locator(".notice.fail")).ToContainTextAsync("not the console's access key");
        await ConsoleWorld.ShotAsync(page, "7-sign-in-refused");
        Assert.DoesNotContain(world.Executor.Firings, f => f.Job == "whop-nightly");

        // Signed in, but a POST without the page's anti-forgery token is refused as well.
        await using var signedIn = await world.NewContextAsync();
        var person = await signedIn.NewPageAsync();
        await ConsoleWorld.SignInAsync(person);
        var forged = await signedIn.APIRequest.PostAsync("/jobs/whop-nightly/run", new() { Form = signedIn.APIRequest.CreateFormData() });
        Assert.Equal(400, forged.Status);
        Assert.DoesNotContain(world.Executor.Firings, f => f.Job == "whop-nightly");

        await person.Locator("table.jobs tr", new() { HasText = "whop-nightly" }).Locator("button", new() { HasText = "Run now" }).ClickAsync();
        await Assertions.Expect(person.Locator(".notice")).ToContainTextAsync("whop-nightly is queued on the scheduler");
        await Eventually.TrueAsync(() => world.Executor.Firings.Any(f => f.Job == "whop-nightly"), "the queued firing to run", 10000);
        await ConsoleWorld.ShotAsync(person, "8-run-now-queued");
    }

    [Fact]
    public async Task HealthAndMetrics_ProbesOpen_MetricsBehindTheKey()
    {
        await using var context = await world.NewContextAsync();
        var live = await context.APIRequest.GetAsync("/health/live");
        Assert.Equal(200, live.Status);

        var ready = await context.APIRequest.GetAsync("/health/ready");
        Assert.Equal(200, ready.Status);
        using var health = JsonDocument.Parse(await ready.TextAsync());
        var checks = health.RootElement.GetProperty("checks").EnumerateArray().ToDictionary(c => c.GetProperty("name").GetString()!, c => c.GetProperty("status").GetString());
        Assert.Equal("Healthy", checks["scheduler"]);
        Assert.Equal("Healthy", checks["database"]);
        Assert.Equal("Healthy", checks["jobs"]);

        Assert.Equal(401, (await context.APIRequest.GetAsync("/metrics")).Status);
        var text = "";
        await Eventually.TrueAsync(() =>
        {
            var scrape = context.APIRequest.GetAsync("/metrics", new() { Headers = new Dictionary<string, string> { ["Authorization"] = "Bearer " + ConsoleWorld.Key } }).GetAwaiter().GetResult();
            text = scrape.TextAsync().GetAwaiter().GetResult();
            return text.Contains("usagebatch_rows_pending{", StringComparison.Ordinal);
        }, "the pending-rows gauge in the scrape", 15000);
        Assert.Contains("job=\"whop-nightly\"", text, StringComparison.Ordinal);
        Assert.Contains("usagebatch_rows_pending_oldest_age_seconds", text, StringComparison.Ordinal);
    }
}
