using System.Globalization;
using UsageBatch.Providers;

namespace UsageBatch.Tests.Providers.Integration;

public sealed class WhopProviderTests : IAsyncLifetime
{
    private static readonly IReadOnlySet<string> NoneOwned = new HashSet<string>();
    private EmulatorHost _host = null!;

    public async Task InitializeAsync() => _host = await EmulatorHost.StartAsync(f => f.Settings.Whop.RequestsPerWindow = 10_000);

    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public async Task SubmitAsync_StructuredItem_ConfirmsWithExactQuantityAndReceipt()
    {
        var whop = _host.Whop();

        var outcome = await whop.SubmitAsync(Some.WhopQuantity(12.3456789m), CancellationToken.None);

        Assert.Equal(OutcomeKind.Confirmed, outcome.Kind);
        Assert.StartsWith("bu_", outcome.UsageId, StringComparison.Ordinal);
        Assert.StartsWith("pay_", outcome.ReceiptId, StringComparison.Ordinal);
        Assert.Equal(12.3456789m, outcome.EchoedTotal);
        var stored = Assert.Single(await _host.LedgerAsync("whop"));
        Assert.Equal("12.3456789", stored!["quantity"]!.ToJsonString());
    }

    [Fact]
    public async Task SubmitAsync_VariableItemByIdentifier_ConfirmsAmountSummedFromTenths()
    {
        var amount = 0.1m + 0.2m;
        var outcome = await _host.Whop().SubmitAsync(Some.WhopAmount(amount), CancellationToken.None);

        Assert.Equal(OutcomeKind.Confirmed, outcome.Kind);
        Assert.Equal(0.3m, outcome.EchoedTotal);
    }

    [Theory]
    [InlineData("mem_Nobody99", "bi_ApiCalls01", 404)]
    [InlineData("mem_Alpha01", "bi_Missing99", 404)]
    [InlineData("mem_Alpha01", "bi_Overage03", 400)]
    public async Task SubmitAsync_DataWhopRefuses_IsPermanentWithWhopsMessage(string membership, string item, int status)
    {
        var outcome = await _host.Whop().SubmitAsync(Some.WhopQuantity(5m, membership, item), CancellationToken.None);

        Assert.Equal(OutcomeKind.Permanent, outcome.Kind);
        Assert.Equal(status, outcome.HttpStatus);
        Assert.StartsWith($"HTTP {status.ToString(CultureInfo.InvariantCulture)}: ", outcome.Message, StringComparison.Ordinal);
        Assert.Empty(await _host.LedgerAsync("whop"));
    }

    [Fact]
    public async Task SubmitAsync_TooManyDecimalsForAmount_IsRefusedWithoutSending()
    {
        var outcome = await _host.Whop().SubmitAsync(Some.WhopAmount(1.005m), CancellationToken.None);

        Assert.Equal(OutcomeKind.Permanent, outcome.Kind);
        Assert.Equal("too_many_decimals", outcome.ProviderCode);
        Assert.Empty(await _host.LedgerAsync("whop"));
    }

    [Fact]
    public async Task SubmitAsync_WrongKey_IsFatal()
    {
        var outcome = await _host.Whop(key: "whop_wrong_key").SubmitAsync(Some.WhopQuantity(1m), CancellationToken.None);

        Assert.Equal(OutcomeKind.Fatal, outcome.Kind);
        Assert.Equal(401, outcome.HttpStatus);
    }

    [Fact]
    public async Task SubmitAsync_WrongBasePath_IsFatalWrongUrl()
    {
        var whop = _host.Whop(o => o.BaseUrl = new Uri(_host.Server.BaseAddress, "api/v9").ToString());

        var outcome = await whop.SubmitAsync(Some.WhopQuantity(1m), CancellationToken.None);

        Assert.Equal(OutcomeKind.Fatal, outcome.Kind);
        Assert.Equal(404, outcome.HttpStatus);
        Assert.Contains("wrong URL", outcome.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SubmitAsync_Html502_IsUnknownAndNeverResent()
    {
        await _host.AddFaultAsync(new { method = "POST", pathPrefix = "/api/v5/app/billing_usages", count = 5, action = "html" });

        var outcome = await _host.Whop().SubmitAsync(Some.WhopQuantity(2m), CancellationToken.None);

        Assert.Equal(OutcomeKind.Unknown, outcome.Kind);
        Assert.Equal(502, outcome.HttpStatus);
        Assert.Equal(1, outcome.Attempts);
        Assert.DoesNotContain("<", outcome.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SubmitAsync_DropAfterCommit_IsUnknownThenResolveConfirmsTheOneUsage()
    {
        var whop = _host.Whop();
        await _host.AddFaultAsync(new { method = "POST", pathPrefix = "/api/v5/app/billing_usages", count = 1, action = "drop-after-commit" });
        var submission = Some.WhopQuantity(3.25m);
        var attemptedAt = DateTimeOffset.UtcNow;

        var sent = await whop.SubmitAsync(submission, CancellationToken.None);
        Assert.Equal(OutcomeKind.Unknown, sent.Kind);
        Assert.Single(await _host.LedgerAsync("whop"));

        var resolved = await whop.ResolveAsync(submission, attemptedAt, NoneOwned, CancellationToken.None);

        Assert.Equal(OutcomeKind.Confirmed, resolved.Kind);
        var stored = Assert.Single(await _host.LedgerAsync("whop"));
        Assert.Equal(stored!["id"]!.GetValue<string>(), resolved.UsageId);
        Assert.Equal(3.25m, resolved.EchoedTotal);
    }

    [Fact]
    public async Task SubmitAsync_Timeout_IsUnknownThenResolveConfirms()
    {
        var whop = _host.Whop(o => o.Timeout = TimeSpan.FromMilliseconds(300));
        await _host.AddFaultAsync(new { method = "POST", pathPrefix = "/api/v5/app/billing_usages", count = 1, action = "delay", delayMs = 1500 });
        var submission = Some.WhopQuantity(5.5m);
        var attemptedAt = DateTimeOffset.UtcNow;

        var sent = await whop.SubmitAsync(submission, CancellationToken.None);
        var resolved = await whop.ResolveAsync(submission, attemptedAt, NoneOwned, CancellationToken.None);

        Assert.Equal(OutcomeKind.Unknown, sent.Kind);
        Assert.Equal(OutcomeKind.Confirmed, resolved.Kind);
        Assert.Single(await _host.LedgerAsync("whop"));
    }

    [Fact]
    public async Task SubmitAsync_DropBeforeCommit_IsUnknownThenResolveFindsNothing()
    {
        // Over HTTP a connection closed before processing looks like one closed after it, so it is Unknown too:
        // the resolve proves nothing was recorded, and only then may the run send again.
        var whop = _host.Whop();
        await _host.AddFaultAsync(new { method = "POST", pathPrefix = "/api/v5/app/billing_usages", count = 1, action = "drop-before-commit" });
        var submission = Some.WhopQuantity(4m);
        var attemptedAt = DateTimeOffset.UtcNow;

        Assert.Equal(OutcomeKind.Unknown, (await whop.SubmitAsync(submission, CancellationToken.None)).Kind);
        Assert.Equal(OutcomeKind.NotFound, (await whop.ResolveAsync(submission, attemptedAt, NoneOwned, CancellationToken.None)).Kind);
        Assert.Equal(OutcomeKind.Confirmed, (await whop.SubmitAsync(submission, CancellationToken.None)).Kind);
        Assert.Single(await _host.LedgerAsync("whop"));
    }

    [Fact]
    public async Task ResolveAsync_TwoEqualCandidates_IsAmbiguousListingBoth()
    {
        var whop = _host.Whop();
        var attemptedAt = DateTimeOffset.UtcNow;
        var first = await whop.SubmitAsync(Some.WhopQuantity(6m), CancellationToken.None);
        var second = await whop.SubmitAsync(Some.WhopQuantity(6m), CancellationToken.None);

        var outcome = await whop.ResolveAsync(Some.WhopQuantity(6m), attemptedAt, NoneOwned, CancellationToken.None);

        Assert.Equal(OutcomeKind.Ambiguous, outcome.Kind);
        Assert.Equal(
            new[] { first.UsageId!, second.UsageId! }.Order(StringComparer.Ordinal),
            outcome.Candidates!.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task ResolveAsync_OneCandidateOwned_ConfirmsTheOther()
    {
        var whop = _host.Whop();
        var attemptedAt = DateTimeOffset.UtcNow;
        var owned = await whop.SubmitAsync(Some.WhopQuantity(6m), CancellationToken.None);
        var other = await whop.SubmitAsync(Some.WhopQuantity(6m), CancellationToken.None);

        var outcome = await whop.ResolveAsync(Some.WhopQuantity(6m), attemptedAt, new HashSet<string> { owned.UsageId! }, CancellationToken.None);

        Assert.Equal(OutcomeKind.Confirmed, outcome.Kind);
        Assert.Equal(other.UsageId, outcome.UsageId);
    }

    [Fact]
    public async Task ResolveAsync_CandidateOlderThanAttemptMinusSkew_IsNotFound()
    {
        var whop = _host.Whop(o => o.ClockSkew = TimeSpan.FromSeconds(5));
        await whop.SubmitAsync(Some.WhopQuantity(8m), CancellationToken.None);

        var outcome = await whop.ResolveAsync(Some.WhopQuantity(8m), DateTimeOffset.UtcNow.AddMinutes(1), NoneOwned, CancellationToken.None);

        Assert.Equal(OutcomeKind.NotFound, outcome.Kind);
    }

    [Fact]
    public async Task ResolveAndList_MoreThanOnePage_SeeEveryUsage()
    {
        var whop = _host.Whop();
        var start = DateTimeOffset.UtcNow.AddSeconds(-2);
        // The emulator lists newest first, so the first usage created lands on the second page of 50.
        var oldest = await whop.SubmitAsync(Some.WhopQuantity(7.5m), CancellationToken.None);
        await Task.WhenAll(Enumerable.Range(0, 54).Select(_ => whop.SubmitAsync(Some.WhopQuantity(1m), CancellationToken.None)));

        var resolved = await whop.ResolveAsync(Some.WhopQuantity(7.5m), start, NoneOwned, CancellationToken.None);
        var listed = new List<ProviderUsage>();
        await foreach (var usage in whop.ListAsync(new UsageListQuery(start, DateTimeOffset.UtcNow.AddSeconds(2), "membership_id", "mem_Alpha01", "billing_item_id", "bi_ApiCalls01"), CancellationToken.None))
        {
            listed.Add(usage);
        }

        Assert.Equal(OutcomeKind.Confirmed, resolved.Kind);
        Assert.Equal(oldest.UsageId, resolved.UsageId);
        Assert.Equal(55, listed.Count);
        Assert.Equal(55, listed.Select(u => u.Id).Distinct().Count());
        Assert.Equal(54m + 7.5m, listed.Sum(u => u.Value));
    }

    [Fact]
    public async Task ListAsync_RangeBeforeEveryUsage_ReturnsNothing()
    {
        var whop = _host.Whop();
        await whop.SubmitAsync(Some.WhopQuantity(1m), CancellationToken.None);
        var past = DateTimeOffset.UtcNow.AddDays(-2);

        var listed = new List<ProviderUsage>();
        await foreach (var usage in whop.ListAsync(new UsageListQuery(past, past.AddDays(1)), CancellationToken.None))
        {
            listed.Add(usage);
        }

        Assert.Empty(listed);
    }

    [Fact]
    public async Task ListAsync_WrongKey_ThrowsWithTheFatalOutcome()
    {
        var whop = _host.Whop(key: "whop_wrong_key");
        var query = new UsageListQuery(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow);

        var error = await Assert.ThrowsAsync<ProviderListException>(async () =>
        {
            await foreach (var unused in whop.ListAsync(query, CancellationToken.None))
            {
            }
        });

        Assert.Equal(OutcomeKind.Fatal, error.Outcome.Kind);
    }
}
