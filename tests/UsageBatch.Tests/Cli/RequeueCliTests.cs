using UsageBatch.Billing;
using UsageBatch.Tests.TestSupport;

namespace UsageBatch.Tests.Cli;

/// <summary>`usagebatch requeue` and provider keys through the command line, against the emulator.</summary>
public sealed class RequeueCliTests
{
    private static readonly Dictionary<string, string> Keys = new() { ["WHOP_K"] = "whop_test_key", ["CB_K"] = "cb_test_key" };

    private static string Config(BillingHarness h)
    {
        var folder = Path.GetDirectoryName(h.Database.DataSource)!;
        var path = Path.Combine(folder, "jobs.json");
        File.WriteAllText(path, $$"""
            {
              "database": { "connectionString": "Data Source={{h.Database.DataSource}}" },
              "providers": {
                "whop": { "type": "whop", "baseUrl": "{{h.Emulator.WhopBaseUrl}}", "apiKeyEnv": "WHOP_K", "currency": "USD" },
                "chargebee": { "type": "chargebee", "baseUrl": "{{h.Emulator.ChargebeeBaseUrl}}", "apiKeyEnv": "CB_K" }
              },
              "jobs": [
                { "name": "whop-test", "provider": "whop", "cron": "0 0 3 * * ?" },
                { "name": "chargebee-test", "provider": "chargebee", "cron": "0 0 3 * * ?" }
              ],
              "scheduler": { "store": "memory" }
            }
            """);
        return path;
    }

    [Fact]
    public async Task Requeue_RowOneHeldInBothTables_NamingTheTableWorks_AndTheRestoreExitsZero()
    {
        await using var h = await BillingHarness.StartAsync();
        await h.InsertWhopAsync("w1", "mem_Alpha01", null, "bi_ApiCalls01", null, null, "5", BillingHarness.Earlier(1));
        await h.InsertChargebeeAsync("c1", "sub_Acme", "api-calls-USD-monthly", "3", BillingHarness.Earlier(1));
        var config = Config(h);
        var first = await CliRun.InProcessAsync(Keys, "run", "--config", config);
        Assert.True(first.Exit == ExitCodes.Ok, first.All);
        // Not a terminal: a line per phase instead of a live display.
        Assert.Contains("whop-test: checking the rows left pending", first.Output, StringComparison.Ordinal);
        Assert.Contains("chargebee-test: sending submissions (1)", first.Output, StringComparison.Ordinal);
        Assert.Contains("chargebee-test: sent: 1 confirmed", first.Output, StringComparison.Ordinal);
        await h.ScalarAsync<long>("UPDATE whop_usage SET billing_status = 'pending'; UPDATE chargebee_usage SET billing_status = 'pending'; SELECT 1");
        var held = await CliRun.InProcessAsync(Keys, "run", "--config", config);
        Assert.True(held.Exit == ExitCodes.Attention, held.All);
        var instruction = await h.ScalarAsync<string>("SELECT billing_error FROM whop_usage WHERE id = 1");
        Assert.Contains("run `usagebatch requeue --table whop_usage --row 1`", instruction, StringComparison.Ordinal);

        var ambiguous = await CliRun.InProcessAsync(Keys, "requeue", "--row", "1", "--config", config);
        var byTable = await CliRun.InProcessAsync(Keys, "requeue", "--table", "whop_usage", "--row", "1", "--config", config);
        var byJob = await CliRun.InProcessAsync(Keys, "requeue", "--row", "1", "--job", "chargebee-test", "--config", config);

        Assert.Equal(ExitCodes.BadConfiguration, ambiguous.Exit);
        Assert.Contains("name one: --table whop_usage or --table chargebee_usage (or --job NAME)", ambiguous.Output, StringComparison.Ordinal);
        Assert.True(byTable.Exit == ExitCodes.Ok, byTable.All);
        Assert.Contains("restored to billed, not sent again", byTable.Output, StringComparison.Ordinal);
        Assert.True(byJob.Exit == ExitCodes.Ok, byJob.All);
        Assert.Equal("billed", await h.ScalarAsync<string>("SELECT billing_status FROM chargebee_usage WHERE id = 1"));
        Assert.Single((await h.ProviderLedgerAsync()).Whop);
    }

    [Fact]
    public async Task Run_ProviderRefusesTheKey_AbortsNamingTheVariable()
    {
        await using var h = await BillingHarness.StartAsync();
        await h.InsertWhopAsync("w1", "mem_Alpha01", null, "bi_ApiCalls01", null, null, "5", BillingHarness.Earlier(1));

        var result = await CliRun.InProcessAsync(new Dictionary<string, string>(Keys) { ["WHOP_K"] = "not-the-key" }, "run", "--job", "whop-test", "--config", Config(h));

        Assert.Equal(ExitCodes.Aborted, result.Exit);
        Assert.Contains("HTTP 401: check the API key in environment variable WHOP_K", result.Output, StringComparison.Ordinal);
        Assert.Equal("pending", await h.ScalarAsync<string>("SELECT billing_status FROM whop_usage WHERE id = 1"));
    }
}
