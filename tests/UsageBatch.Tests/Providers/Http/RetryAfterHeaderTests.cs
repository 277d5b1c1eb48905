using UsageBatch.Providers.Http;

namespace UsageBatch.Tests.Providers.Http;

public sealed class RetryAfterHeaderTests
{
    private static readonly DateTimeOffset Now = new(2026, 1, 15, 12, 0, 0, TimeSpan.Zero);

    [Theory]
    [InlineData("2", 2)]
    [InlineData(" 120 ", 120)]
    [InlineData("0", 0)]
    [InlineData("1.5", 1.5)]
    public void Parse_DeltaSeconds_ReturnsThatDelay(string value, double seconds) =>
        Assert.Equal(TimeSpan.FromSeconds(seconds), RetryAfterHeader.Parse(value, Now));

    [Fact]
    public void Parse_HttpDate_ReturnsTimeUntilIt() =>
        Assert.Equal(TimeSpan.FromSeconds(45), RetryAfterHeader.Parse("Thu, 15 Jan 2026 12:00:45 GMT", Now));

    [Fact]
    public void Parse_HttpDateInThePast_ReturnsZero() =>
        Assert.Equal(TimeSpan.Zero, RetryAfterHeader.Parse("Thu, 15 Jan 2026 11:00:00 GMT", Now));

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("soon")]
    [InlineData("-5")]
    public void Parse_MissingOrGarbage_ReturnsNull(string? value) =>
        Assert.Null(RetryAfterHeader.Parse(value, Now));
}
