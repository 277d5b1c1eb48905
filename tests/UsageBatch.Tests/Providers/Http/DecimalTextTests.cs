using UsageBatch.Usage;
using UsageBatch.Providers.Http;

namespace UsageBatch.Tests.Providers.Http;

public sealed class DecimalTextTests
{
    [Theory]
    [InlineData("12.3456789", "12.3456789", 7)]
    [InlineData("1.2300", "1.23", 2)]
    [InlineData("5.0", "5", 0)]
    [InlineData("100", "100", 0)]
    [InlineData("0.0000000001", "0.0000000001", 10)]
    [InlineData("79228162514264337593543950335", "79228162514264337593543950335", 0)]
    public void Format_Decimal_IsInvariantWithoutExponentOrTrailingZeros(string input, string expected, int places)
    {
        var value = decimal.Parse(input, System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal(expected, DecimalText.Format(value));
        Assert.Equal(places, DecimalText.Places(value));
    }

    [Fact]
    public void Format_TenTimesPointOne_IsExactlyOne()
    {
        var sum = Enumerable.Repeat(0.1m, 10).Sum();
        Assert.Equal("1", DecimalText.Format(sum));
    }

    [Theory]
    [InlineData("1.5E+2", "150")]
    [InlineData("0.10", "0.1")]
    public void TryParse_ProviderText_IsExact(string text, string expected)
    {
        Assert.True(DecimalText.TryParseLenient(text, out var value));
        Assert.Equal(expected, DecimalText.Format(value));
    }
}
