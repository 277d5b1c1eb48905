using UsageBatch.Storage;

namespace UsageBatch.Tests.Storage;

/// <summary>A usage table's description is what the dialects write statements from: only plain names get in.</summary>
public sealed class UsageTableTests
{
    private static KeyColumns Id(string name) => new(new UsageColumn(name, UsageColumnKind.Id));

    private static KeyColumns Value(string name) => new(new UsageColumn(name, UsageColumnKind.Decimal));

    [Theory]
    [InlineData("meter usage", "customer_id")]
    [InlineData("meter_usage; DROP TABLE ub_run", "customer_id")]
    [InlineData("Meter_Usage", "customer_id")]
    [InlineData("meter_usage", "customer]id")]
    [InlineData("meter_usage", "id")]
    [InlineData("meter_usage", "occurred_at")]
    public void Constructor_NameThatIsNotAPlainColumnName_IsRefused(string table, string column) =>
        Assert.Throws<ArgumentException>(() => new UsageTable(table, Id(column), Id("meter_name"), Value("value"), dateBuckets: false));

    [Fact]
    public void Constructor_ColumnNamedTwice_OrAKeyThatIsADecimal_IsRefused()
    {
        Assert.Throws<ArgumentException>(() => new UsageTable("t", Id("a"), Id("a"), Value("v"), dateBuckets: false));
        Assert.Throws<ArgumentException>(() => new UsageTable("t", Value("a"), Id("b"), Value("v"), dateBuckets: false));
        Assert.Throws<ArgumentException>(() => new UsageTable("t", Id("a"), Id("b"), Id("v"), dateBuckets: false));
    }

    [Fact]
    public void TargetOf_TheFirstSetColumnOfEachChoice_NamesTheField()
    {
        var row = UsageBatch.Usage.TestRows.Whop(1, "k", company: "biz_A", membership: null, itemId: null, identifier: "api-calls", amount: "2", quantity: null, at: "2026-01-01T00:00:00Z");

        Assert.Equal(new UsageBatch.Providers.SubmissionTarget("company_id", "biz_A", "billing_item_identifier", "api-calls", "amount"), Tables.Whop.TargetOf(row));
        Assert.Equal(2m, row.Value("amount"));
        Assert.Throws<ArgumentException>(() => row["subscription_id"]);
    }
}
