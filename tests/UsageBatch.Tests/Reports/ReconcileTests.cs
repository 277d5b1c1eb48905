using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using UsageBatch.Billing;
using UsageBatch.Cli;
using UsageBatch.Emulator;
using UsageBatch.Providers;
using UsageBatch.Reports;
using UsageBatch.Tests.TestSupport;

namespace UsageBatch.Tests.Reports;

public sealed class ReconcileTests
{
    private const string ItemPrice = "api-calls-USD-monthly";

    [Fact]
    public async Task Reconcile_DeletedAddedInvoicedAndCharged_ReportsExactlyThoseFour()
    {
        var fixtures = EmulatorFixtures.CreateDefault();
        fixtures.Settings.Whop.ReceiptOnCreate = false;
        await using var h = await BillingHarness.StartAsync(fixtures);
        using var http = new HttpClient { BaseAddress = h.Emulator.BaseAddress };
        await h.InsertChargebeeAsync("acme", "sub_Acme", ItemPrice, "2", BillingHarness.Earlier(1));
        await h.InsertChargebeeAsync("globex", "sub_Globex", ItemPrice, "3", BillingHarness.Earlier(2));
        await h.InsertChargebeeAsync("initech", "sub_Initech", ItemPrice, "4", BillingHarness.Earlier(3));
        await h.InsertWhopAsync("alpha", "mem_Alpha01", null, "bi_ApiCalls01", null, null, "5", BillingHarness.Earlier(1));
        await h.InsertWhopAsync("bravo", "mem_Bravo02", null, "bi_ApiCalls01", null, null, "6", BillingHarness.Earlier(2));
        var chargebeeRun = await h.Run(BillingHarness.Job(ProviderKind.Chargebee), h.Account(ProviderKind.Chargebee)).ExecuteAsync(DateTimeOffset.UtcNow, CancellationToken.None);
        var whopRun = await h.Run(BillingHarness.Job(ProviderKind.Whop), h.Account(ProviderKind.Whop)).ExecuteAsync(DateTimeOffset.UtcNow, CancellationToken.None);
        Assert.Equal(ExitCodes.Ok, chargebeeRun.ExitCode);
        Assert.Equal(ExitCodes.Ok, whopRun.ExitCode);
        var ours = await h.Store.SubmissionsOfRunAsync(chargebeeRun.RunId, CancellationToken.None);
        var globex = ours.Single(s => s.Target.CustomerId == "sub_Globex");
        var acme = ours.Single(s => s.Target.CustomerId == "sub_Acme");

        // Behind our back: a usage deleted at Chargebee, one added there, an invoice, and a Whop charge.
        using (var delete = new HttpRequestMessage(HttpMethod.Post, "api/v2/subscriptions/sub_Globex/delete_usage"))
        {
            delete.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.ASCII.GetBytes("cb_test_key:")));
            delete.Content = new FormUrlEncodedContent(new Dictionary<string, string> { ["id"] = globex.UsageId! });
            (await http.SendAsync(delete)).EnsureSuccessStatusCode();
        }

        var elsewhereDate = DateTimeOffset.UtcNow.AddHours(-3).ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        (await http.PostAsync("_emulator/chargebee/usages", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["subscription_id"] = "sub_Initech", ["id"] = "made-in-console", ["item_price_id"] = ItemPrice, ["quantity"] = "9", ["usage_date"] = elsewhereDate,
        }))).EnsureSuccessStatusCode();
        (await http.PostAsJsonAsync("_emulator/chargebee/invoice", new { subscriptionId = "sub_Acme" })).EnsureSuccessStatusCode();
        (await http.PostAsJsonAsync("_emulator/whop/charge", new { membershipId = "mem_Alpha01" })).EnsureSuccessStatusCode();

        var folder = Path.Combine(Path.GetTempPath(), "usagebatch-tests", Guid.NewGuid().ToString("N"));
        try
        {
            var config = await WriteConfigAsync(h, folder);
            var today = DateTime.UtcNow.Date;
            string[] period = ["--from", today.AddDays(-2).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), "--to", today.AddDays(2).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)];
            var (chargebeeExit, chargebeeOut) = await CliAsync(["reconcile", "--config", config, "--job", "chargebee-test", .. period]);
            var (whopExit, whopOut) = await CliAsync(["reconcile", "--config", config, "--job", "whop-test", .. period]);

            Assert.Equal(ExitCodes.Attention, chargebeeExit);
            Assert.Equal(ExitCodes.Ok, whopExit); // a receipt written back is an update, not a difference
            var chargebee = await FindingsAsync(chargebeeOut);
            var whop = await FindingsAsync(whopOut);
            Assert.Equal(
                [
                    (ReconcileKinds.Invoiced, "sub_Acme", acme.UsageId),
                    (ReconcileKinds.MissingAtProvider, "sub_Globex", globex.UsageId),
                    (ReconcileKinds.NotInLedger, "sub_Initech", "made-in-console"),
                ],
                chargebee.Select(f => (f.Kind, f.Customer, f.UsageId)).OrderBy(f => f.Kind, StringComparer.Ordinal));
            // stdout names the kinds found with their counts, after the three paths.
            Assert.Equal("chargebee-test: 3 ledger submissions, 3 provider usages; 2 differences: 1 missing_at_provider, 1 not_in_ledger; 1 invoiced", chargebeeOut[^1]);
            Assert.Equal("whop-test: 2 ledger submissions, 2 provider usages; no differences; 1 receipt_assigned", whopOut[^1]);
            var charged = Assert.Single(whop);
            Assert.Equal((ReconcileKinds.ReceiptAssigned, "mem_Alpha01"), (charged.Kind, charged.Customer));

            // The receipts are now on the ledger and on the covered rows.
            var invoice = chargebee.Single(f => f.Kind == ReconcileKinds.Invoiced).Receipt;
            Assert.StartsWith("inv_", invoice, StringComparison.Ordinal);
            Assert.Equal(invoice, await h.ScalarAsync<string>("SELECT provider_receipt_id FROM chargebee_usage WHERE source_key = 'acme'"));
            Assert.Equal(invoice, (await h.Store.GetSubmissionAsync(acme.Id, CancellationToken.None))!.ProviderReceiptId);
            Assert.StartsWith("pay_", await h.ScalarAsync<string>("SELECT provider_receipt_id FROM whop_usage WHERE source_key = 'alpha'"), StringComparison.Ordinal);
            Assert.Null(await h.ScalarAsync<string?>("SELECT provider_receipt_id FROM whop_usage WHERE source_key = 'bravo'"));

            // Reconciling again finds the receipts already written.
            var (_, again) = await CliAsync(["reconcile", "--config", config, "--job", "whop-test", .. period]);
            Assert.Empty(await FindingsAsync(again));
            Assert.EndsWith("no differences; no receipts to write", again[^1], StringComparison.Ordinal);
            Assert.All(chargebeeOut.Take(3), p => Assert.True(File.Exists(p), p));
            Assert.EndsWith(string.Create(CultureInfo.InvariantCulture, $"chargebee-test-reconcile-{period[1]}-{period[3]}.html"), chargebeeOut[0], StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public async Task Reconcile_BadDates_ExitTwo()
    {
        var (exit, _) = await CliAsync(["reconcile", "--job", "x", "--from", "2026-11-20", "--to", "2026-11-19"]);
        Assert.Equal(ExitCodes.BadConfiguration, exit);
        (exit, _) = await CliAsync(["reconcile", "--job", "x", "--from", "20/11/2026", "--to", "2026-11-21"]);
        Assert.Equal(ExitCodes.BadConfiguration, exit);
    }

    private sealed record Finding(string Kind, string Customer, string? UsageId, string? Receipt);

    private static async Task<List<Finding>> FindingsAsync(IReadOnlyList<string> printed)
    {
        var jsonPath = printed.Single(p => p.EndsWith(".json", StringComparison.Ordinal));
        using var json = JsonDocument.Parse(await File.ReadAllTextAsync(jsonPath));
        return json.RootElement.GetProperty("findings").EnumerateArray().Select(f => new Finding(
            f.GetProperty("kind").GetString()!, f.GetProperty("customerId").GetString()!, f.GetProperty("providerUsageId").GetString(),
            f.GetProperty("receiptId").GetString())).ToList();
    }

    private static async Task<(int Exit, List<string> Output)> CliAsync(string[] args)
    {
        using var output = new StringWriter(CultureInfo.InvariantCulture);
        using var error = new StringWriter(CultureInfo.InvariantCulture);
        var exit = await CliApp.RunAsync(args, output, error, name => name == "TEST_KEY_WHOP" ? "whop_test_key" : name == "TEST_KEY_CB" ? "cb_test_key" : null);
        return (exit, output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToList());
    }

    private static async Task<string> WriteConfigAsync(BillingHarness h, string folder)
    {
        Directory.CreateDirectory(folder);
        var config = new
        {
            database = new { provider = "sqlite", connectionString = $"Data Source={h.Database.DataSource}" },
            providers = new
            {
                whop = new { type = "whop", baseUrl = h.Emulator.WhopBaseUrl.ToString(), apiKeyEnv = "TEST_KEY_WHOP", requestsPerWindow = 1000, window = "00:00:01" },
                chargebee = new { type = "chargebee", baseUrl = h.Emulator.ChargebeeBaseUrl.ToString(), apiKeyEnv = "TEST_KEY_CB", requestsPerWindow = 1000, window = "00:00:01" },
            },
            jobs = new[]
            {
                new { name = "whop-test", provider = "whop", cron = "0 0 3 * * ?" },
                new { name = "chargebee-test", provider = "chargebee", cron = "0 0 3 * * ?" },
            },
            scheduler = new { store = "memory" },
            reports = new { directory = Path.Combine(folder, "reports") },
            logging = new { directory = Path.Combine(folder, "logs") },
        };
        var path = Path.Combine(folder, "jobs.json");
        await File.WriteAllTextAsync(path, JsonSerializer.Serialize(config));
        return path;
    }
}
