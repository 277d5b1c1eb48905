using UsageBatch.Billing;
using UsageBatch.Providers;
using UsageBatch.Storage;
using UsageBatch.Tests.TestSupport;

namespace UsageBatch.Tests.Billing;

/// <summary>
/// Found by the crash harness (3 s leases on a loaded machine): a lease renewal that comes late makes the store
/// refuse to start a send (the request could outlive the lease). The run then finished, exit 1, with the
/// submission still 'prepared' and its rows 'claimed' until some later run adopted them. The sender now renews
/// the lease and tries again, and a run never finishes with rows of its own left claimed.
/// </summary>
public sealed class LeaseMarginTests
{
    [Theory]
    [InlineData("whop")]
    [InlineData("chargebee")]
    public async Task Send_LeaseRenewalLate_RenewsAndSendsLeavingNothingClaimed(string providerName)
    {
        var kind = providerName == "whop" ? ProviderKind.Whop : ProviderKind.Chargebee;
        await using var h = await BillingHarness.StartAsync();
        for (var n = 0; n < 6; n++)
        {
            if (kind == ProviderKind.Whop)
            {
                await h.InsertWhopAsync($"r{n}", n % 2 == 0 ? "mem_Alpha01" : "mem_Bravo02", null, "bi_ApiCalls01", null, null, "2", BillingHarness.Earlier(n));
            }
            else
            {
                await h.InsertChargebeeAsync($"r{n}", n % 2 == 0 ? "sub_Acme" : "sub_Globex", "api-calls-USD-monthly", "2", BillingHarness.Earlier(n));
            }
        }

        var job = BillingHarness.Job(kind);
        job.LeaseDuration = TimeSpan.FromSeconds(8);
        var account = h.Account(kind);
        account.Timeout = TimeSpan.FromSeconds(3);
        // One request at a time: the fake cuts the run's one lease before each submission's first send, so with
        // several senders one's cut could land between another's renewal and its mark-sent and void that submission
        // (what failed this test once in CI). A real late renewal does not recur per submission.
        account.MaxInFlight = 1;

        var summary = await h.Run(job, account, store: new LateRenewalStore(h.Store, h.Database)).ExecuteAsync(DateTimeOffset.UtcNow, CancellationToken.None);

        var rows = await h.RowsAsync(kind.Table());
        Assert.DoesNotContain(rows, r => r.BillingStatus == "claimed");
        Assert.All(rows, r => Assert.Equal("billed", r.BillingStatus));
        Assert.Equal(ExitCodes.Ok, summary.ExitCode);
    }
}
