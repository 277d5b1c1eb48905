using System.Globalization;
using UsageBatch.Reliability;

namespace UsageBatch.Tests.Reliability;

/// <summary>
/// I1–I4 under real process crashes: the real `usagebatch run` is SIGKILLed at random moments (sends in flight
/// against the standalone emulator, whose latency keeps them there), then one final run must converge. The bounded
/// version of tests/UsageBatch.Chaos (README "Reliability"); set USAGEBATCH_CHAOS_SEED to replay a seed.
/// </summary>
[Collection(ReliabilityCollection.Name)]
public sealed class CrashHarnessTests
{
    private static int Seed() =>
        int.TryParse(Environment.GetEnvironmentVariable("USAGEBATCH_CHAOS_SEED"), CultureInfo.InvariantCulture, out var seed) ? seed : Environment.TickCount;

    [Fact]
    public async Task Kill9_AtRandomMoments_FinalRunConvergesWithNothingDoubleBilledOrLost()
    {
        var summary = await ChaosCampaign.RunAsync(new ChaosOptions { Seed = Seed(), Kills = 6, KillsPerRound = 6, MaxKillDelayMs = 2000 });

        Assert.True(summary.Ok, summary.Details);
        Assert.Equal(6, summary.Kills);
        Assert.True(summary.ProviderUsages > 0, summary.Details);
    }

    [Fact]
    public async Task ProviderFaults_EveryKindOnBothProviders_WithKills_Converge()
    {
        var summary = await ChaosCampaign.RunAsync(new ChaosOptions
        {
            Seed = Seed(), Kills = 8, KillsPerRound = 8, MaxKillDelayMs = 2000, FaultRate = 1, MinFaultsPerIteration = 2,
        });

        Assert.True(summary.Ok, summary.Details);
        Assert.Equal(FaultCatalog.All(1500).Select(f => f(new Random(0)).Name).Order(StringComparer.Ordinal), summary.Faults.Keys.Order(StringComparer.Ordinal));
        Assert.True(summary.FaultHits.Values.Sum() > 0, summary.Details);
    }
}
