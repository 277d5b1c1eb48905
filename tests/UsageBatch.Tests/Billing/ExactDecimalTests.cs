using Microsoft.Extensions.Logging.Abstractions;
using UsageBatch.Billing;
using UsageBatch.Providers;
using UsageBatch.Storage;
using UsageBatch.Storage.SqlServer;
using UsageBatch.Tests.TestSupport;

namespace UsageBatch.Tests.Billing;

/// <summary>
/// Money is never rounded without a word, at the edges of the ledger's decimal(28,10): a provider echo with more
/// decimals than the ledger keeps is held for a person; a group whose rows add up past the ledger's range is rejected
/// alone (never an OverflowException that stops every run); every decimal goes to SQL Server as decimal(38,10).
/// </summary>
public sealed class ExactDecimalTests
{
    [Fact]
    public async Task ProviderEchoWithMoreThanTenDecimals_IsHeldForReview_NotRounded()
    {
        await using var h = await BillingHarness.StartAsync();
        await h.InsertChargebeeAsync("a", "sub_Acme", "api-calls-USD-monthly", "3", BillingHarness.Earlier(1));
        var job = BillingHarness.Job(ProviderKind.Chargebee);
        var account = h.Account(ProviderKind.Chargebee);
        var provider = new EchoSkewingProvider(h.Provider(account), 0.00000000001m);

        var summary = await new BillingRun(h.Store, provider, job, account, TimeProvider.System, NullLogger.Instance, new RunOptions())
            .ExecuteAsync(DateTimeOffset.UtcNow, CancellationToken.None);

        Assert.Equal((1, 0), (summary.Held, summary.Confirmed));
        var submission = (await h.Store.GetSubmissionAsync(1, CancellationToken.None))!;
        Assert.Equal(SubmissionStatus.Held, submission.Status);
        Assert.Null(submission.EchoedTotal);
        Assert.Contains("it echoed 3.00000000001, more than the ledger holds exactly", submission.StatusReason, StringComparison.Ordinal);
        Assert.Equal("held", Assert.Single(await h.RowsAsync(UsageBatch.Storage.Tables.Chargebee)).BillingStatus);
    }

    [Theory]
    [InlineData(nameof(UsageBatch.Storage.Sqlite.SqlitePlan.Passes))]
    [InlineData(nameof(UsageBatch.Storage.Sqlite.SqlitePlan.GroupBatches))]
    public async Task GroupPastTheLedgersRange_IsRejectedAlone_AndTheOthersBill(string plan)
    {
        await using var h = await BillingHarness.StartAsync(plan: Enum.Parse<UsageBatch.Storage.Sqlite.SqlitePlan>(plan));
        for (var i = 0; i < 9; i++)
        {
            await h.InsertChargebeeAsync($"big{i}", "sub_Acme", "api-calls-USD-monthly", "999999999999999999.99", BillingHarness.Earlier(i));
        }

        await h.InsertChargebeeAsync("small", "sub_Acme", "storage-USD-monthly", "2", BillingHarness.Earlier(1));
        var job = BillingHarness.Job(ProviderKind.Chargebee);

        var summary = await h.Run(job, h.Account(ProviderKind.Chargebee)).ExecuteAsync(DateTimeOffset.UtcNow, CancellationToken.None);

        Assert.Equal((1, 1), (summary.Confirmed, summary.Rejected));
        var rows = await h.RowsAsync(UsageBatch.Storage.Tables.Chargebee);
        Assert.Equal("billed", rows.Single(r => r.SourceKey == "small").BillingStatus);
        Assert.All(rows.Where(r => r.SourceKey.StartsWith("big", StringComparison.Ordinal)), r =>
        {
            Assert.Equal("rejected", r.BillingStatus);
            Assert.Equal(Grouping.TotalOutOfRangeReason, r.BillingError);
        });
        Assert.Single((await h.ProviderLedgerAsync()).Chargebee);
    }

    [Fact]
    public void GroupTotal_StopsAtTheLedgersRange_AndNeverRounds()
    {
        Assert.True(Grouping.TryAdd(999999999999999999.9999999999m, -0.0000000001m, out var exact));
        Assert.Equal(999999999999999999.9999999998m, exact);
        Assert.False(Grouping.TryAdd(999999999999999999.9999999999m, 0.0000000001m, out _));
    }

    [Fact]
    public void SqlServerDecimals_AreDeclaredDecimal38Scale10_AndMoreDecimalsAreRefused()
    {
        var parameters = SqlServerSession.Encode(new { Total = 1.5m, Echo = (decimal?)null })!;
        // What Dapper will declare (its parameter records are private: read them as it does).
        var declared = (System.Collections.IDictionary)typeof(Dapper.DynamicParameters)
            .GetField("parameters", System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Instance)!.GetValue(parameters)!;

        Assert.Equal(2, declared.Count);
        foreach (var info in declared.Values)
        {
            object? Read(string name) => info!.GetType().GetProperty(name)!.GetValue(info);
            Assert.Equal((System.Data.DbType.Decimal, (byte)38, (byte)10), ((System.Data.DbType?)Read("DbType"), (byte?)Read("Precision"), (byte?)Read("Scale")));
        }

        var refused = Assert.Throws<ArgumentOutOfRangeException>(() => SqlServerSession.Encode(new { EchoedTotal = 1.00000000001m }));
        Assert.Contains("EchoedTotal 1.00000000001 has more than 10 decimals", refused.Message, StringComparison.Ordinal);
    }

    /// <summary>The real provider client, whose confirmations echo a little more than was sent.</summary>
    private sealed class EchoSkewingProvider(IUsageProvider inner, decimal extra) : IUsageProvider
    {

        public async Task<ProviderOutcome> SubmitAsync(ProviderSubmission submission, CancellationToken cancellationToken)
        {
            var outcome = await inner.SubmitAsync(submission, cancellationToken);
            return outcome.EchoedTotal is { } echo ? outcome with { EchoedTotal = echo + extra } : outcome;
        }

        public Task<ProviderOutcome> ResolveAsync(ProviderSubmission submission, DateTimeOffset attemptedAt, IReadOnlySet<string> ownedUsageIds, CancellationToken cancellationToken) =>
            inner.ResolveAsync(submission, attemptedAt, ownedUsageIds, cancellationToken);

        public IAsyncEnumerable<ProviderUsage> ListAsync(UsageListQuery query, CancellationToken cancellationToken) => inner.ListAsync(query, cancellationToken);
    }
}
