using UsageBatch.Providers;

namespace UsageBatch.Tests.Providers.Integration;

/// <summary>Test data: submissions against the emulator's default fixtures.</summary>
internal static class Some
{
    private static long _nextId = 1000;

    /// <summary>Inside sub_Acme's open active period, on a whole second.</summary>
    public static readonly DateTimeOffset UsageDate = new(2026, 1, 14, 23, 59, 59, TimeSpan.Zero);

    public static long NextId() => Interlocked.Increment(ref _nextId);

    public static ProviderSubmission WhopQuantity(decimal quantity, string membership = "mem_Alpha01", string item = "bi_ApiCalls01") =>
        new(NextId(), new SubmissionTarget("membership_id", membership, "billing_item_id", item, "quantity"), quantity, null, null, "test");

    public static ProviderSubmission WhopAmount(decimal amount, string company = "biz_DemoCo1", string identifier = "overage-usd") =>
        new(NextId(), new SubmissionTarget("company_id", company, "billing_item_identifier", identifier, "amount"), amount, null, null, "test");

    public static ProviderSubmission Chargebee(
        decimal quantity,
        string subscription = "sub_Acme",
        string itemPrice = "api-calls-USD-monthly",
        DateTimeOffset? usageDate = null,
        string? usageId = null)
    {
        var id = NextId();
        return new(id, SubmissionTarget.Chargebee(subscription, itemPrice), quantity, usageId ?? $"ubtest-{id}", usageDate ?? UsageDate, $"test submission {id}");
    }
}
