using RestSharp;
using UsageBatch.Configuration;
using UsageBatch.Providers;
using UsageBatch.Providers.Chargebee;

namespace UsageBatch.Tests.Providers.Chargebee;

public sealed class ChargebeeRequestsTests
{
    private static readonly DateTimeOffset UsageDate = new(2026, 1, 14, 23, 59, 59, TimeSpan.Zero);

    private static ProviderSubmission Submission(decimal total = 12.50m, string note = "job chargebee-nightly run 7") =>
        new(7, SubmissionTarget.Chargebee("sub_Acme", "api-calls-USD-monthly"), total, "ub-inst-7", UsageDate, note);

    private static string? Value(RestRequest request, string name) =>
        request.Parameters.FirstOrDefault(p => p.Name == name)?.Value?.ToString();

    [Fact]
    public void Create_Submission_SendsFormFieldsExactly()
    {
        var request = ChargebeeRequests.Create(Submission(), new ProviderAccountOptions { Type = "chargebee" });

        Assert.Equal(Method.Post, request.Method);
        Assert.Equal("ub-inst-7", Value(request, "id"));
        Assert.Equal("api-calls-USD-monthly", Value(request, "item_price_id"));
        Assert.Equal("12.5", Value(request, "quantity"));
        Assert.Equal(UsageDate.ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture), Value(request, "usage_date"));
        Assert.Equal("sub_Acme", Value(request, "subscription"));
    }

    [Fact]
    public void Create_LongNote_IsTruncatedTo500()
    {
        var request = ChargebeeRequests.Create(Submission(note: new string('n', 700)), new ProviderAccountOptions { Type = "chargebee" });
        Assert.Equal(500, Value(request, "note")!.Length);
    }

    [Fact]
    public void Create_AccountOptions_AddBusinessEntityAndSuppressionHeaders()
    {
        var options = new ProviderAccountOptions { Type = "chargebee", BusinessEntityId = "be_eu", Suppress = ["webhooks", "emails", "actions"] };
        var request = ChargebeeRequests.Create(Submission(), options);

        Assert.Equal("be_eu", Value(request, "chargebee-business-entity-id"));
        Assert.Equal("all-disabled", Value(request, "chargebee-event-webhook"));
        Assert.Equal("all-disabled", Value(request, "chargebee-event-email"));
        Assert.Equal("all-disabled", Value(request, "chargebee-event-actions"));
    }

    [Fact]
    public void IdempotencyKey_SameRequest_IsStableShortAndSensitiveToDateAndNote()
    {
        var submission = Submission() with { UsageId = new string('x', 100) };
        var key = ChargebeeRequests.IdempotencyKey(ChargebeeRequests.Form(submission));

        Assert.Equal(key, ChargebeeRequests.IdempotencyKey(ChargebeeRequests.Form(submission)));
        Assert.NotEqual(key, ChargebeeRequests.IdempotencyKey(ChargebeeRequests.Form(submission with { UsageDate = UsageDate.AddSeconds(-1) })));
        Assert.NotEqual(key, ChargebeeRequests.IdempotencyKey(ChargebeeRequests.Form(submission with { Note = "run 8" })));
        Assert.True(key.Length <= 100);
    }

    [Fact]
    public void Create_Submission_CarriesTheKeyOfItsForm()
    {
        var submission = Submission();
        var request = ChargebeeRequests.Create(submission, new ProviderAccountOptions { Type = "chargebee" });
        Assert.Equal(ChargebeeRequests.IdempotencyKey(ChargebeeRequests.Form(submission)), Value(request, "chargebee-idempotency-key"));
    }

    [Fact]
    public void List_Range_UsesInclusiveTenDigitBetween()
    {
        var from = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
        var query = new UsageListQuery(from, from.AddDays(1), "subscription_id", "sub_Acme", "item_price_id", "api-calls-USD-monthly");
        var request = ChargebeeRequests.List(query, "off_1", new ProviderAccountOptions { Type = "chargebee" });

        Assert.Equal($"[{from.ToUnixTimeSeconds()},{from.AddDays(1).ToUnixTimeSeconds() - 1}]", Value(request, "usage_date[between]"));
        Assert.Equal("sub_Acme", Value(request, "subscription_id[is]"));
        Assert.Equal("api-calls-USD-monthly", Value(request, "item_price_id[is]"));
        Assert.Equal("100", Value(request, "limit"));
        Assert.Equal("off_1", Value(request, "offset"));
    }

    [Fact]
    public void Difference_QuantityWithTrailingZero_StillMatches()
    {
        var usage = new ChargebeeUsage("ub-inst-7", "sub_Acme", "api-calls-USD-monthly", 12.5m, UsageDate, null, null);
        Assert.Null(usage.Difference(Submission(12.50m)));
        Assert.Contains("quantity", usage.Difference(Submission(12.51m)), StringComparison.Ordinal);
    }
}
