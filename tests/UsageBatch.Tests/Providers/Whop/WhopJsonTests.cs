using UsageBatch.Providers;
using UsageBatch.Providers.Whop;

namespace UsageBatch.Tests.Providers.Whop;

public sealed class WhopJsonTests
{
    [Fact]
    public void CreateBody_Quantity_WritesTheDecimalsDigitsExactly()
    {
        var target = new SubmissionTarget("membership_id", "mem_Alpha01", "billing_item_id", "bi_ApiCalls01", "quantity");
        Assert.Equal(
            """{"membership_id":"mem_Alpha01","billing_item_id":"bi_ApiCalls01","quantity":12.3456789}""",
            WhopJson.CreateBody(target, 12.3456789m));
    }

    [Fact]
    public void CreateBody_AmountAndIdentifier_UsesTheTargetsFieldNames()
    {
        var target = new SubmissionTarget("company_id", "biz_DemoCo1", "billing_item_identifier", "overage-usd", "amount");
        var sum = 0.1m + 0.2m;
        Assert.Equal(
            """{"company_id":"biz_DemoCo1","billing_item_identifier":"overage-usd","amount":0.3}""",
            WhopJson.CreateBody(target, sum));
    }

    [Fact]
    public void ParsePage_MiddlePage_ReportsNextAndReadsDecimalsExactly()
    {
        var body = """{"pagination":{"current_page":1,"total_pages":2,"next_page":2,"prev_page":null,"total_count":51},"data":[{"id":"bu_1","created_at":1768478400,"membership_id":"mem_1","billing_item_id":"bi_1","quantity":0.1}]}""";
        var page = WhopJson.ParsePage(body, 1)!.Value;
        Assert.True(page.HasNext);
        Assert.Equal(0.1m, Assert.Single(page.Usages).Quantity);
    }

    [Fact]
    public void ParsePage_LastPage_ReportsNoNext()
    {
        var body = """{"pagination":{"current_page":2,"total_pages":2,"next_page":null},"data":[{"id":"bu_1","created_at":1}]}""";
        Assert.False(WhopJson.ParsePage(body, 2)!.Value.HasNext);
    }

    [Fact]
    public void ParsePage_NotAList_ReturnsNull() =>
        Assert.Null(WhopJson.ParsePage("<html></html>", 1));
}
