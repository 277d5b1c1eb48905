using UsageBatch.OperatorConsole.Jobs;

namespace UsageBatch.Tests.OperatorConsole;

public sealed class CronWordsTests
{
    [Theory]
    [InlineData("0 15 3 * * ?", "every day at 03:15")]
    [InlineData("30 0 12 ? * *", "every day at 12:00:30")]
    [InlineData("0 0 6 ? * MON-FRI", "at 06:00 on Monday to Friday")]
    [InlineData("0 0 6 ? * 2,4", "at 06:00 on Monday, Wednesday")]
    [InlineData("0 30 1 1 * ?", "at 01:30 on day 1 of every month")]
    [InlineData("0 30 1 L * ?", "at 01:30 on the last day of every month")]
    [InlineData("0 0/15 * * * ?", "every 15 minutes")]
    [InlineData("0 5 */2 * * ?", "every 2 hours at minute 5")]
    [InlineData("0 0 3 ? 1 MON#2", "on the cron below")]
    public void Describe_CommonShapes_InPlainWords(string cron, string expected) => Assert.Equal(expected, CronWords.Describe(cron));
}
