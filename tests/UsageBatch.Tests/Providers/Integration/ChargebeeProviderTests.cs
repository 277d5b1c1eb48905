using System.Globalization;
using UsageBatch.Providers;
using UsageBatch.Providers.Chargebee;

namespace UsageBatch.Tests.Providers.Integration;

public sealed class ChargebeeProviderTests : IAsyncLifetime
{
    private static readonly IReadOnlySet<string> NoneOwned = new HashSet<string>();
    private EmulatorHost _host = null!;

    public async Task InitializeAsync() => _host = await EmulatorHost.StartAsync(f => f.Settings.Chargebee.RequestsPerMinute = 10_000);

    public async Task DisposeAsync() => await _host.DisposeAsync();

    private static string Unix(DateTimeOffset instant) => instant.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);

    [Fact]
    public async Task SubmitAsync_TwoDecimalQuantity_ConfirmsWithExactEcho()
    {
        var submission = Some.Chargebee(12.35m);

        var outcome = await _host.Chargebee().SubmitAsync(submission, CancellationToken.None);

        Assert.Equal(OutcomeKind.Confirmed, outcome.Kind);
        Assert.Equal(submission.UsageId, outcome.UsageId);
        Assert.Equal(12.35m, outcome.EchoedTotal);
        Assert.Equal(Some.UsageDate, outcome.EchoedUsageDate);
        Assert.Equal(1, outcome.Attempts);
        var stored = Assert.Single(await _host.LedgerAsync("chargebee"))!;
        Assert.Equal("12.35", stored["quantity"]!.GetValue<string>());
        Assert.Equal(submission.Note, stored["note"]!.GetValue<string>());
    }

    [Fact]
    public async Task SubmitAsync_AnyCall_SendsIdempotencyKeyAndAccountHeaders()
    {
        var submission = Some.Chargebee(1m);
        var chargebee = _host.Chargebee(o =>
        {
            o.BusinessEntityId = "be_emea";
            o.Suppress = ["webhooks", "emails", "actions"];
        });

        await chargebee.SubmitAsync(submission, CancellationToken.None);

        var headers = Assert.Single(await _host.LedgerAsync("chargebee"))!["emulator_request_headers"]!;
        Assert.Equal(ChargebeeRequests.IdempotencyKey(ChargebeeRequests.Form(submission)), headers["chargebee-idempotency-key"]!.GetValue<string>());
        Assert.Equal("be_emea", headers["chargebee-business-entity-id"]!.GetValue<string>());
        Assert.Equal("all-disabled", headers["chargebee-event-webhook"]!.GetValue<string>());
        Assert.Equal("all-disabled", headers["chargebee-event-email"]!.GetValue<string>());
        Assert.Equal("all-disabled", headers["chargebee-event-actions"]!.GetValue<string>());
    }

    [Theory]
    [InlineData("sub_Nobody", "api-calls-USD-monthly", 404, "resource_not_found")]
    [InlineData("sub_Initech", "storage-USD-monthly", 400, "invalid_request")]
    public async Task SubmitAsync_DataChargebeeRefuses_IsPermanentWithCode(string subscription, string itemPrice, int status, string code)
    {
        var outcome = await _host.Chargebee().SubmitAsync(Some.Chargebee(2m, subscription, itemPrice), CancellationToken.None);

        Assert.Equal(OutcomeKind.Permanent, outcome.Kind);
        Assert.Equal(status, outcome.HttpStatus);
        Assert.Equal(code, outcome.ProviderCode);
        Assert.Empty(await _host.LedgerAsync("chargebee"));
    }

    [Fact]
    public async Task SubmitAsync_CancelledSubscription_IsStoredLikeChargebeeDoes()
    {
        // Chargebee answers 200 and stores a usage on a cancelled subscription (it is just never billed), so the
        // client sees a confirmation; it used to be refused with a 400 here.
        var submission = Some.Chargebee(2m, "sub_Umbrella");

        var outcome = await _host.Chargebee().SubmitAsync(submission, CancellationToken.None);

        Assert.Equal(OutcomeKind.Confirmed, outcome.Kind);
        Assert.Equal(submission.UsageId, Assert.Single(await _host.LedgerAsync("chargebee"))!["id"]!.GetValue<string>());
    }

    [Fact]
    public async Task SubmitAsync_MoreDecimalsThanTheSiteTakes_IsRefusedWithoutSending()
    {
        var outcome = await _host.Chargebee().SubmitAsync(Some.Chargebee(1.005m), CancellationToken.None);

        Assert.Equal(OutcomeKind.Permanent, outcome.Kind);
        Assert.Equal("quantity", outcome.Param);
        Assert.Contains("2 decimal places", outcome.Message, StringComparison.Ordinal);
        Assert.Empty(await _host.LedgerAsync("chargebee"));
    }

    [Fact]
    public async Task SubmitAsync_WrongKey_IsFatal()
    {
        var outcome = await _host.Chargebee(key: "cb_wrong_key").SubmitAsync(Some.Chargebee(1m), CancellationToken.None);

        Assert.Equal(OutcomeKind.Fatal, outcome.Kind);
        Assert.Equal(401, outcome.HttpStatus);
        Assert.Equal("api_authentication_failed", outcome.ProviderCode);
    }

    [Fact]
    public async Task SubmitAsync_WrongBasePath_IsFatalWrongUrl()
    {
        var chargebee = _host.Chargebee(o => o.BaseUrl = new Uri(_host.Server.BaseAddress, "api/v1").ToString());

        var outcome = await chargebee.SubmitAsync(Some.Chargebee(1m), CancellationToken.None);

        Assert.Equal(OutcomeKind.Fatal, outcome.Kind);
        Assert.Contains("wrong URL", outcome.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SubmitAsync_DateTakenByAnotherUsage_IsDateClash()
    {
        await _host.AddChargebeeUsageAsync("sub_Acme", "admin-entered-1", "api-calls-USD-monthly", "3", Some.UsageDate.ToUnixTimeSeconds());

        var outcome = await _host.Chargebee().SubmitAsync(Some.Chargebee(5m), CancellationToken.None);

        Assert.Equal(OutcomeKind.DateClash, outcome.Kind);
        Assert.Equal("usage_date", outcome.Param);
    }

    [Fact]
    public async Task SubmitAsync_OurIdAlreadyStoredWithSameData_ConfirmsViaRetrieve()
    {
        var submission = Some.Chargebee(9.5m);
        await _host.AddChargebeeUsageAsync("sub_Acme", submission.UsageId!, "api-calls-USD-monthly", "9.50", Some.UsageDate.ToUnixTimeSeconds());

        var outcome = await _host.Chargebee().SubmitAsync(submission, CancellationToken.None);

        Assert.Equal(OutcomeKind.Confirmed, outcome.Kind);
        Assert.Equal(submission.UsageId, outcome.UsageId);
        Assert.Single(await _host.LedgerAsync("chargebee"));
    }

    [Fact]
    public async Task SubmitAsync_OurIdAlreadyStoredWithOtherQuantity_IsConflictNamingTheField()
    {
        var submission = Some.Chargebee(9.5m);
        await _host.AddChargebeeUsageAsync("sub_Acme", submission.UsageId!, "api-calls-USD-monthly", "9.49", Some.UsageDate.ToUnixTimeSeconds() - 1);

        var outcome = await _host.Chargebee().SubmitAsync(submission, CancellationToken.None);

        Assert.Equal(OutcomeKind.Conflict, outcome.Kind);
        Assert.Contains("quantity is 9.49, expected 9.5", outcome.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SubmitAsync_DropAfterCommit_ResendsTheSameIdAndConfirmsOneUsage()
    {
        await _host.AddFaultAsync(new { method = "POST", pathPrefix = "/api/v2/subscriptions/", count = 1, action = "drop-after-commit" });
        var submission = Some.Chargebee(4.2m);

        var outcome = await _host.Chargebee().SubmitAsync(submission, CancellationToken.None);

        Assert.Equal(OutcomeKind.Confirmed, outcome.Kind);
        Assert.Equal(2, outcome.Attempts);
        Assert.Equal(submission.UsageId, Assert.Single(await _host.LedgerAsync("chargebee"))!["id"]!.GetValue<string>());
    }

    [Fact]
    public async Task SubmitAsync_SameIdFromALaterRun_ConvergesThroughDuplicateEntryAndRetrieve()
    {
        // A later run re-sends the submission with its own trace note: a different request, so no idempotent
        // replay; our usage id answers duplicate_entry and the retrieve proves it is the same usage.
        var chargebee = _host.Chargebee();
        var first = Some.Chargebee(4.2m);
        await _host.AddFaultAsync(new { method = "POST", pathPrefix = "/api/v2/subscriptions/", count = 3, action = "drop-after-commit" });
        Assert.Equal(OutcomeKind.Unknown, (await chargebee.SubmitAsync(first, CancellationToken.None)).Kind);

        var outcome = await chargebee.SubmitAsync(first with { Note = "recovered by a later run" }, CancellationToken.None);

        Assert.Equal(OutcomeKind.Confirmed, outcome.Kind);
        Assert.Equal(first.UsageId, outcome.UsageId);
        Assert.Equal(4.2m, outcome.EchoedTotal);
        Assert.Single(await _host.LedgerAsync("chargebee"));
    }

    [Fact]
    public async Task SubmitAsync_DropBeforeCommit_ResendsAndConfirms()
    {
        await _host.AddFaultAsync(new { method = "POST", pathPrefix = "/api/v2/subscriptions/", count = 1, action = "drop-before-commit" });

        var outcome = await _host.Chargebee().SubmitAsync(Some.Chargebee(1.5m), CancellationToken.None);

        Assert.Equal(OutcomeKind.Confirmed, outcome.Kind);
        Assert.Equal(2, outcome.Attempts);
        Assert.Single(await _host.LedgerAsync("chargebee"));
    }

    [Fact]
    public async Task SubmitAsync_Html502EveryTime_IsUnknownAfterMaxAttemptsWithoutThrowing()
    {
        await _host.AddFaultAsync(new { method = "POST", pathPrefix = "/api/v2/subscriptions/", count = 10, action = "html" });

        var outcome = await _host.Chargebee().SubmitAsync(Some.Chargebee(1m), CancellationToken.None);

        Assert.Equal(OutcomeKind.Unknown, outcome.Kind);
        Assert.Equal(502, outcome.HttpStatus);
        Assert.Equal(3, outcome.Attempts);
        Assert.Empty(await _host.LedgerAsync("chargebee"));
    }

    [Fact]
    public async Task SubmitAsync_Timeout_ResendsTheSameIdAndConfirmsOneUsage()
    {
        await _host.AddFaultAsync(new { method = "POST", pathPrefix = "/api/v2/subscriptions/", count = 1, action = "delay", delayMs = 1500 });

        var outcome = await _host.Chargebee(o => o.Timeout = TimeSpan.FromMilliseconds(300)).SubmitAsync(Some.Chargebee(2.5m), CancellationToken.None);

        Assert.Equal(OutcomeKind.Confirmed, outcome.Kind);
        Assert.Equal(2, outcome.Attempts);
        Assert.Single(await _host.LedgerAsync("chargebee"));
    }

    [Fact]
    public async Task SubmitAsync_UnknownThenNeverAnsweredAgain_StaysUnknownNotNotSent()
    {
        // 503 (may have been recorded), then throttled past the retry cap: reporting "not sent" would let the run
        // release the rows and bill them again under a new id.
        await _host.AddFaultAsync(new { method = "POST", pathPrefix = "/api/v2/subscriptions/", count = 1, action = "status", status = 503 });
        await _host.AddFaultAsync(new
        {
            method = "POST", pathPrefix = "/api/v2/subscriptions/", count = 20, action = "status", status = 429,
            headers = new Dictionary<string, string> { ["Retry-After"] = "0" },
        });

        var outcome = await _host.Chargebee().SubmitAsync(Some.Chargebee(1m), CancellationToken.None);

        Assert.Equal(OutcomeKind.Unknown, outcome.Kind);
    }

    [Fact]
    public async Task ResolveAsync_StoredUsage_ConfirmsMatchingAndReportsMissingOrDifferent()
    {
        var chargebee = _host.Chargebee();
        var submission = Some.Chargebee(7m);
        await chargebee.SubmitAsync(submission, CancellationToken.None);

        var confirmed = await chargebee.ResolveAsync(submission, DateTimeOffset.UtcNow, NoneOwned, CancellationToken.None);
        var missing = await chargebee.ResolveAsync(Some.Chargebee(7m), DateTimeOffset.UtcNow, NoneOwned, CancellationToken.None);
        var different = await chargebee.ResolveAsync(submission with { Total = 8m }, DateTimeOffset.UtcNow, NoneOwned, CancellationToken.None);

        Assert.Equal(OutcomeKind.Confirmed, confirmed.Kind);
        Assert.Equal(7m, confirmed.EchoedTotal);
        Assert.Equal(OutcomeKind.NotFound, missing.Kind);
        Assert.Equal(OutcomeKind.Conflict, different.Kind);
    }

    [Fact]
    public async Task ListAsync_MoreThanOnePage_FollowsNextOffsetWithinTheRange()
    {
        var day = new DateTimeOffset(2026, 1, 10, 0, 0, 0, TimeSpan.Zero);
        await Task.WhenAll(Enumerable.Range(0, 105).Select(i =>
            _host.AddChargebeeUsageAsync("sub_Globex", $"list-{i}", "api-calls-USD-monthly", "1.25", day.AddMinutes(i).ToUnixTimeSeconds())));
        await _host.AddChargebeeUsageAsync("sub_Globex", "next-day", "api-calls-USD-monthly", "1", day.AddDays(1).ToUnixTimeSeconds());
        await _host.AddChargebeeUsageAsync("sub_Acme", "other-sub", "api-calls-USD-monthly", "1", day.AddHours(1).ToUnixTimeSeconds());

        var listed = new List<ProviderUsage>();
        await foreach (var usage in _host.Chargebee().ListAsync(new UsageListQuery(day, day.AddDays(1), "subscription_id", "sub_Globex"), CancellationToken.None))
        {
            listed.Add(usage);
        }

        Assert.Equal(105, listed.Count);
        Assert.Equal(131.25m, listed.Sum(u => u.Value));
        Assert.All(listed, u => Assert.Equal("sub_Globex", u.Target.CustomerId));
        Assert.DoesNotContain(listed, u => u.Id == "next-day");
        Assert.Equal(Unix(day), Unix(listed.Min(u => u.UsageDate!.Value)));
    }
}
