using UsageBatch.Providers;
using UsageBatch.Providers.Http;
using UsageBatch.Providers.Whop;
using UsageBatch.Tests.Providers.Http;

namespace UsageBatch.Tests.Providers.Whop;

public sealed class WhopResponseClassifierTests
{
    private static readonly DateTimeOffset Now = new(2026, 1, 15, 12, 0, 0, TimeSpan.Zero);
    private readonly WhopResponseClassifier _classifier = new(lockout: TimeSpan.FromSeconds(60), timeout: TimeSpan.FromSeconds(30));

    [Theory]
    [InlineData(400, """{"message":"Supply billing_item_id or billing_item_identifier"}""", "Permanent")]
    [InlineData(404, """{"message":"Not found"}""", "Permanent")]
    [InlineData(422, """{"message":"quantity is not allowed for variable items"}""", "Permanent")]
    [InlineData(422, """{"error":{"code":"invalid_request","message":"bad"}}""", "Permanent")]
    [InlineData(401, """{"message":"Unauthorized"}""", "Fatal")]
    [InlineData(403, """{"message":"Forbidden"}""", "Fatal")]
    [InlineData(401, "", "Fatal")]
    [InlineData(404, "", "Fatal")]
    [InlineData(404, "<html><body>Not Found</body></html>", "Fatal")]
    [InlineData(404, """{"title":"Not Found","status":404}""", "Fatal")]
    [InlineData(301, "", "Fatal")]
    [InlineData(405, "", "Fatal")]
    [InlineData(500, """{"message":"Internal error"}""", "Unknown")]
    [InlineData(502, Replies.HtmlBadGateway, "Unknown")]
    [InlineData(503, "", "Unknown")]
    [InlineData(504, null, "Unknown")]
    [InlineData(500, """{"message":"trunc""", "Unknown")]
    [InlineData(408, "", "Unknown")]
    [InlineData(429, """{"message":"You are being rate limited"}""", "Throttled")]
    [InlineData(429, "", "Throttled")]
    public void ClassifyFailure_StatusAndBody_MapsToDesignErrorClass(int status, string? body, string expected)
    {
        var outcome = _classifier.ClassifyFailure(Replies.Status(status, body), Now);

        Assert.NotNull(outcome);
        Assert.Equal(expected, outcome.Kind.ToString());
        Assert.Equal(status, outcome.HttpStatus);
        Assert.Contains(status.ToString(System.Globalization.CultureInfo.InvariantCulture), outcome.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("<html", outcome.Message, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void ClassifyFailure_Success_ReturnsNullForTheCallerToParse() =>
        Assert.Null(_classifier.ClassifyFailure(Replies.Status(201, "{}"), Now));

    [Fact]
    public void ClassifyFailure_PermanentInEnvelope_CarriesWhopsMessage()
    {
        var outcome = _classifier.ClassifyFailure(Replies.Status(404, """{"message":"Billing item not found"}"""), Now)!;
        Assert.Equal("HTTP 404: Billing item not found", outcome.Message);
        Assert.Null(outcome.ProviderCode);
    }

    [Fact]
    public void ClassifyFailure_429WithoutRetryAfter_WaitsOutTheLockout() =>
        Assert.Equal(TimeSpan.FromSeconds(60), _classifier.ClassifyFailure(Replies.Status(429, "{\"message\":\"You are being rate limited\"}"), Now)!.RetryAfter);

    [Fact]
    public void ClassifyFailure_429WithRetryAfterSeconds_UsesTheHeader() =>
        Assert.Equal(TimeSpan.FromSeconds(7), _classifier.ClassifyFailure(Replies.Status(429, "", "7"), Now)!.RetryAfter);

    [Fact]
    public void ClassifyFailure_429WithRetryAfterHttpDate_WaitsUntilThatDate() =>
        Assert.Equal(TimeSpan.FromSeconds(90), _classifier.ClassifyFailure(Replies.Status(429, "", Replies.HttpDate(Now.AddSeconds(90))), Now)!.RetryAfter);

    [Fact]
    public void ClassifyFailure_ConnectionRefused_IsNotSent() =>
        Assert.Equal(OutcomeKind.NotSent, _classifier.ClassifyFailure(Replies.Refused(), Now)!.Kind);

    [Fact]
    public void ClassifyFailure_DnsFailure_IsNotSent() =>
        Assert.Equal(OutcomeKind.NotSent, _classifier.ClassifyFailure(Replies.DnsFailure(), Now)!.Kind);

    [Fact]
    public void ClassifyFailure_ResetAfterWrite_IsUnknown() =>
        Assert.Equal(OutcomeKind.Unknown, _classifier.ClassifyFailure(Replies.ResetAfterWrite(), Now)!.Kind);

    [Fact]
    public void ClassifyFailure_ResponseEndedPrematurely_IsUnknown() =>
        Assert.Equal(OutcomeKind.Unknown, _classifier.ClassifyFailure(Replies.EndedPrematurely(), Now)!.Kind);

    [Fact]
    public void ClassifyFailure_Timeout_IsUnknown() =>
        Assert.Equal(OutcomeKind.Unknown, _classifier.ClassifyFailure(Replies.TimedOut(), Now)!.Kind);

    [Fact]
    public void ParseCreated_QuantityWithManyDecimals_EchoesItExactly()
    {
        var body = """{"id":"bu_1","created_at":1768478400,"company_id":"biz_1","membership_id":"mem_1","billing_item_id":"bi_1","quantity":12.3456789,"receipt_id":"rec_9"}""";
        var outcome = WhopResponseClassifier.ParseCreated(Replies.Status(201, body), "quantity");

        Assert.Equal(OutcomeKind.Confirmed, outcome.Kind);
        Assert.Equal("bu_1", outcome.UsageId);
        Assert.Equal("rec_9", outcome.ReceiptId);
        Assert.Equal(12.3456789m, outcome.EchoedTotal);
    }

    [Fact]
    public void ParseCreated_AmountAsString_EchoesItExactly()
    {
        var outcome = WhopResponseClassifier.ParseCreated(Replies.Status(201, """{"id":"bu_2","created_at":1,"amount":"0.30"}"""), "amount");
        Assert.Equal(0.30m, outcome.EchoedTotal);
        Assert.Null(outcome.ReceiptId);
    }

    [Theory]
    [InlineData("")]
    [InlineData("{}")]
    [InlineData(Replies.HtmlBadGateway)]
    public void ParseCreated_SuccessWithoutId_IsUnknown(string body) =>
        Assert.Equal(OutcomeKind.Unknown, WhopResponseClassifier.ParseCreated(Replies.Status(201, body), "quantity").Kind);
}
