using Microsoft.Extensions.Logging.Abstractions;
using UsageBatch.Billing;
using UsageBatch.Configuration;
using UsageBatch.Providers;
using UsageBatch.Storage;
using UsageBatch.Tests.TestSupport;

namespace UsageBatch.Tests.Billing;

public sealed class RequeueTests
{
    private static Requeue CreateRequeue(BillingHarness h, ProviderKind kind, JobOptions job, StringWriter output)
    {
        var account = h.Account(kind);
        var options = new AppOptions { Providers = { [job.Provider] = account }, Jobs = [job] };
        return new Requeue(h.Store, h.Store, options, _ => h.Provider(account), TimeProvider.System, output);
    }

    [Fact]
    public async Task RequeueSubmission_HeldByGuardBeforeAnySend_IsApprovedAndSentByTheNextRun()
    {
        await using var h = await BillingHarness.StartAsync();
        await h.InsertChargebeeAsync("big", "sub_Acme", "api-calls-USD-monthly", "5000", BillingHarness.Earlier(1));
        var job = BillingHarness.Job(ProviderKind.Chargebee);
        job.MaxQuantityPerSubmission = 100;
        await h.Run(job, h.Account(ProviderKind.Chargebee)).ExecuteAsync(DateTimeOffset.UtcNow, CancellationToken.None);
        var submissionId = await h.ScalarAsync<long>("SELECT id FROM ub_submission");
        var output = new StringWriter();

        var exit = await CreateRequeue(h, ProviderKind.Chargebee, job, output).SubmissionAsync(submissionId, CancellationToken.None);
        var next = await h.Run(job, h.Account(ProviderKind.Chargebee)).ExecuteAsync(DateTimeOffset.UtcNow, CancellationToken.None);

        Assert.Equal(ExitCodes.Ok, exit);
        Assert.Contains("approved", output.ToString(), StringComparison.Ordinal);
        Assert.True(next.Confirmed == 1, System.Text.Json.JsonSerializer.Serialize(next));
        Assert.Equal(5000m, Assert.Single((await h.ProviderLedgerAsync()).Chargebee).Value);
        Assert.Equal("billed", Assert.Single(await h.RowsAsync(Tables.Chargebee)).BillingStatus);
    }

    [Fact]
    public async Task RequeueRow_ReQueuedAfterBillingAndUsageStillExists_IsRestoredToBilledNotSentAgain()
    {
        await using var h = await BillingHarness.StartAsync();
        await h.InsertWhopAsync("a", "mem_Alpha01", null, "bi_ApiCalls01", null, null, "5", BillingHarness.Earlier(1));
        var job = BillingHarness.Job(ProviderKind.Whop);
        await h.Run(job, h.Account(ProviderKind.Whop)).ExecuteAsync(DateTimeOffset.UtcNow, CancellationToken.None);
        await h.ScalarAsync<long>("UPDATE whop_usage SET billing_status = 'pending'");
        await h.Run(job, h.Account(ProviderKind.Whop)).ExecuteAsync(DateTimeOffset.UtcNow, CancellationToken.None);
        var rowId = await h.ScalarAsync<long>("SELECT id FROM whop_usage WHERE billing_status = 'held'");
        var output = new StringWriter();

        var exit = await CreateRequeue(h, ProviderKind.Whop, job, output).RowAsync(rowId, null, CancellationToken.None);

        Assert.Equal(ExitCodes.Ok, exit);
        Assert.Contains("already billed", output.ToString(), StringComparison.Ordinal);
        Assert.Equal("billed", Assert.Single(await h.RowsAsync(Tables.Whop)).BillingStatus);
        Assert.Single((await h.ProviderLedgerAsync()).Whop);
    }

    [Fact]
    public async Task RequeueRow_HeldWhileItsSubmissionIsStillSent_StaysHeldAndNothingIsSent()
    {
        await using var h = await BillingHarness.StartAsync();
        await h.InsertWhopAsync("a", "mem_Alpha01", null, "bi_ApiCalls01", null, null, "5", BillingHarness.Earlier(1));
        var job = BillingHarness.Job(ProviderKind.Whop);
        await h.Run(job, h.Account(ProviderKind.Whop)).ExecuteAsync(DateTimeOffset.UtcNow, CancellationToken.None);
        // A held row whose submission is back in flight (as an earlier version's hold of an unsettled submission left it).
        await h.ScalarAsync<long>("UPDATE ub_submission SET status = 'sent', settled_at = NULL");
        await h.ScalarAsync<long>("UPDATE whop_usage SET billing_status = 'held', billing_error = 'held by hand'");
        var rowId = await h.ScalarAsync<long>("SELECT id FROM whop_usage WHERE billing_status = 'held'");
        var output = new StringWriter();

        var exit = await CreateRequeue(h, ProviderKind.Whop, job, output).RowAsync(rowId, null, CancellationToken.None);

        Assert.Equal(ExitCodes.Attention, exit);
        Assert.Contains("stays held: its submission 1 is still sent", output.ToString(), StringComparison.Ordinal);
        Assert.Equal("held", Assert.Single(await h.RowsAsync(Tables.Whop)).BillingStatus);
        Assert.Single((await h.ProviderLedgerAsync()).Whop);
    }

    [Fact]
    public async Task RequeueRow_UsageDeletedAtProvider_ReleasesRowAndNextRunBillsItOnce()
    {
        await using var h = await BillingHarness.StartAsync();
        await h.InsertChargebeeAsync("a", "sub_Acme", "api-calls-USD-monthly", "3", BillingHarness.Earlier(1));
        var job = BillingHarness.Job(ProviderKind.Chargebee);
        await h.Run(job, h.Account(ProviderKind.Chargebee)).ExecuteAsync(DateTimeOffset.UtcNow, CancellationToken.None);
        var usageId = await h.ScalarAsync<string>("SELECT provider_usage_id FROM chargebee_usage");
        using (var http = new HttpClient())
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(h.Emulator.ChargebeeBaseUrl + "/subscriptions/sub_Acme/delete_usage"))
            {
                Content = new FormUrlEncodedContent(new Dictionary<string, string> { ["id"] = usageId }),
            };
            request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Basic", Convert.ToBase64String("cb_test_key:"u8.ToArray()));
            (await http.SendAsync(request)).EnsureSuccessStatusCode();
        }

        await h.ScalarAsync<long>("UPDATE chargebee_usage SET billing_status = 'pending'");
        await h.Run(job, h.Account(ProviderKind.Chargebee)).ExecuteAsync(DateTimeOffset.UtcNow, CancellationToken.None);
        var rowId = await h.ScalarAsync<long>("SELECT id FROM chargebee_usage WHERE billing_status = 'held'");

        var exit = await CreateRequeue(h, ProviderKind.Chargebee, job, new StringWriter()).RowAsync(rowId, null, CancellationToken.None);
        var next = await h.Run(job, h.Account(ProviderKind.Chargebee)).ExecuteAsync(DateTimeOffset.UtcNow, CancellationToken.None);

        Assert.Equal(ExitCodes.Ok, exit);
        Assert.Equal(1, next.Confirmed);
        var row = Assert.Single(await h.RowsAsync(Tables.Chargebee));
        Assert.Equal("billed", row.BillingStatus);
        Assert.NotEqual(usageId, row.ProviderUsageId);
        Assert.Single((await h.ProviderLedgerAsync()).Chargebee);
    }

    [Fact]
    public async Task RequeueSubmission_NotHeld_ExitsTwo()
    {
        await using var h = await BillingHarness.StartAsync();
        var output = new StringWriter();
        var exit = await CreateRequeue(h, ProviderKind.Whop, BillingHarness.Job(ProviderKind.Whop), output).SubmissionAsync(42, CancellationToken.None);
        Assert.Equal(ExitCodes.BadConfiguration, exit);
        Assert.Contains("does not exist", output.ToString(), StringComparison.Ordinal);
        _ = NullLogger.Instance;
    }
}
