using UsageBatch.Providers.Pacing;

namespace UsageBatch.Tests.Providers.Pacing;

public sealed class BackoffTests
{
    [Theory]
    [InlineData(1, 0.0, 250)]
    [InlineData(1, 1.0, 500)]
    [InlineData(2, 0.0, 500)]
    [InlineData(3, 1.0, 2000)]
    [InlineData(30, 1.0, 30000)]
    public void Delay_Attempt_DoublesWithJitterUpToTheCap(int attempt, double random, int expectedMs)
    {
        var backoff = new Backoff(TimeSpan.FromMilliseconds(500), TimeSpan.FromSeconds(30), () => random);
        Assert.Equal(TimeSpan.FromMilliseconds(expectedMs), backoff.Delay(attempt));
    }
}
