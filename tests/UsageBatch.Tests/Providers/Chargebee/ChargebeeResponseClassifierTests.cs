using UsageBatch.Providers;
using UsageBatch.Providers.Chargebee;
using UsageBatch.Tests.Providers.Http;

namespace UsageBatch.Tests.Providers.Chargebee;

public sealed class ChargebeeResponseClassifierTests
{
    private static readonly DateTimeOffset Now = new(2026, 1, 15, 12, 0, 0, TimeSpan.Zero);
    private readonly ChargebeeResponseClassifier _classifier = new(defaultRetryAfter: TimeSpan.FromMinutes(1), timeout: TimeSpan.FromSeconds(30));

    private static string Envelope(int status, string code, string message, string? param = null, string type = "invalid_request") =>
        $$"""{"message":"{{message}}","type":"{{type}}","api_error_code":"{{code}}",{{(param is null ? "" : $"\"param\":\"{param}\",")}}"error_code":"{{code}}","http_status_code":{{status}}}""";

    [Theory]
    [InlineData(400, "invalid_request", "item_price_id is not on the subscription", "item_price_id", "Permanent")]
    [InlineData(400, "param_wrong_value", "quantity has too many decimals", "quantity", "Permanent")]
    [InlineData(400, "resource_limit_exceeded", "usage limit reached", null, "Permanent")]
    [InlineData(404, "resource_not_found", "Subscription not found", "subscription_id", "Permanent")]
    [InlineData(409, "invalid_state_for_request", "subscription cancelled", null, "Permanent")]
    [InlineData(422, "unable_to_process_request", "cannot process", null, "Permanent")]
    [InlineData(400, "duplicate_entry", "The value abc is already present.", "id", "Permanent")]
    [InlineData(400, "invalid_request", "A usage already exists for this usage_date", "usage_date", "DateClash")]
    [InlineData(400, "invalid_request", "'usage_date' must fall within the period when the 'item_price' was active in the subscription", "usage_date", "Permanent")]
    [InlineData(401, "api_authentication_failed", "Sorry, authentication failed. Invalid api key", null, "Fatal")]
    [InlineData(403, "api_authorization_failed", "not allowed", null, "Fatal")]
    [InlineData(404, "site_not_found", "Sorry, we couldn't find that site", null, "Fatal")]
    [InlineData(400, "configuration_incompatible", "Metered billing is not enabled", null, "Fatal")]
    [InlineData(429, "api_request_limit_exceeded", "Sorry, access has been blocked temporarily", null, "Throttled")]
    [InlineData(429, "lock_timeout", "Concurrent requests", null, "Throttled")]
    [InlineData(500, "internal_error", "Sorry,Something went wrong", null, "Unknown")]
    [InlineData(503, "internal_temporary_error", "try again", null, "Unknown")]
    public void ClassifyFailure_Envelope_MapsToDesignErrorClass(int status, string code, string message, string? param, string expected)
    {
        var outcome = _classifier.ClassifyFailure(Replies.Status(status, Envelope(status, code, message, param)), Now);

        Assert.NotNull(outcome);
        Assert.Equal(expected, outcome.Kind.ToString());
        Assert.Equal(status, outcome.HttpStatus);
        Assert.Equal(code, outcome.ProviderCode ?? code);
        Assert.Contains(message, outcome.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(404, "", "Fatal")]
    [InlineData(404, "<html>Not Found</html>", "Fatal")]
    [InlineData(404, """{"message":"Not found"}""", "Fatal")]
    [InlineData(401, "", "Fatal")]
    [InlineData(400, "", "Permanent")]
    [InlineData(502, Replies.HtmlBadGateway, "Unknown")]
    [InlineData(503, "", "Unknown")]
    [InlineData(500, null, "Unknown")]
    [InlineData(429, "", "Throttled")]
    public void ClassifyFailure_NoEnvelope_ClassifiesByStatus(int status, string? body, string expected)
    {
        var outcome = _classifier.ClassifyFailure(Replies.Status(status, body), Now)!;
        Assert.Equal(expected, outcome.Kind.ToString());
        Assert.DoesNotContain("<html", outcome.Message, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void ClassifyFailure_PermanentInEnvelope_CarriesCodeAndParam()
    {
        var outcome = _classifier.ClassifyFailure(Replies.Status(400, Envelope(400, "invalid_request", "bad item", "item_price_id")), Now)!;
        Assert.Equal("invalid_request", outcome.ProviderCode);
        Assert.Equal("item_price_id", outcome.Param);
        Assert.Equal("HTTP 400 invalid_request: bad item", outcome.Message);
    }

    [Fact]
    public void ClassifyFailure_DuplicateOfOurId_IsRecognisedAsDuplicateId()
    {
        var outcome = _classifier.ClassifyFailure(Replies.Status(400, Envelope(400, "duplicate_entry", "exists", "id")), Now)!;
        Assert.True(ChargebeeResponseClassifier.IsDuplicateId(outcome));
    }

    [Fact]
    public void ClassifyFailure_429WithRetryAfterSeconds_UsesTheHeader() =>
        Assert.Equal(TimeSpan.FromSeconds(2), _classifier.ClassifyFailure(Replies.Status(429, Envelope(429, "api_request_limit_exceeded", "slow down", type: "operation_failed"), "2"), Now)!.RetryAfter);

    [Fact]
    public void ClassifyFailure_429WithRetryAfterHttpDate_WaitsUntilThatDate() =>
        Assert.Equal(TimeSpan.FromSeconds(30), _classifier.ClassifyFailure(Replies.Status(429, "", Replies.HttpDate(Now.AddSeconds(30))), Now)!.RetryAfter);

    [Fact]
    public void ClassifyFailure_429WithoutRetryAfter_WaitsTheDefault() =>
        Assert.Equal(TimeSpan.FromMinutes(1), _classifier.ClassifyFailure(Replies.Status(429, ""), Now)!.RetryAfter);

    [Fact]
    public void ClassifyFailure_ConnectionRefusedOrDns_IsNotSent()
    {
        Assert.Equal(OutcomeKind.NotSent, _classifier.ClassifyFailure(Replies.Refused(), Now)!.Kind);
        Assert.Equal(OutcomeKind.NotSent, _classifier.ClassifyFailure(Replies.DnsFailure(), Now)!.Kind);
    }

    [Fact]
    public void ClassifyFailure_ResetTimeoutOrPrematureEnd_IsUnknown()
    {
        Assert.Equal(OutcomeKind.Unknown, _classifier.ClassifyFailure(Replies.ResetAfterWrite(), Now)!.Kind);
        Assert.Equal(OutcomeKind.Unknown, _classifier.ClassifyFailure(Replies.TimedOut(), Now)!.Kind);
        Assert.Equal(OutcomeKind.Unknown, _classifier.ClassifyFailure(Replies.EndedPrematurely(), Now)!.Kind);
    }
}
