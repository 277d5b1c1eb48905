using System.Globalization;

namespace UsageBatch.Reliability;

/// <summary>
/// <c>dotnet run --project tests/UsageBatch.Chaos -c Release -- [--kills 200] [--seed N] [--fault-rate 0.5] [--kills-per-round 50] [--quiet]</c>:
/// kills the real `usagebatch run` at random moments under provider faults, checks I1–I3 after every round, and
/// prints one summary line (kills, faults, rows, double-billed, lost). Exit 0 when nothing was double-billed or lost.
/// </summary>
internal static class Program
{
    public static async Task<int> Main(string[] args)
    {
        var options = new ChaosOptions { Kills = 200, FaultRate = 0.5, KillsPerRound = 50, Log = Console.Out };
        for (var i = 0; i < args.Length; i++)
        {
            var value = i + 1 < args.Length ? args[i + 1] : null;
            switch (args[i])
            {
                case "--kills" when int.TryParse(value, CultureInfo.InvariantCulture, out var kills):
                    options = options with { Kills = kills };
                    i++;
                    break;
                case "--seed" when int.TryParse(value, CultureInfo.InvariantCulture, out var seed):
                    options = options with { Seed = seed };
                    i++;
                    break;
                case "--fault-rate" when double.TryParse(value, CultureInfo.InvariantCulture, out var rate):
                    options = options with { FaultRate = rate };
                    i++;
                    break;
                case "--kills-per-round" when int.TryParse(value, CultureInfo.InvariantCulture, out var perRound):
                    options = options with { KillsPerRound = perRound };
                    i++;
                    break;
                case "--quiet":
                    options = options with { Log = null };
                    break;
                default:
                    await Console.Error.WriteLineAsync("usage: UsageBatch.Chaos [--kills 200] [--seed N] [--fault-rate 0.5] [--kills-per-round 50] [--quiet]");
                    return 2;
            }
        }

        Console.WriteLine($"chaos: seed {options.Seed}, {options.Kills} kills, fault rate {options.FaultRate}, host {ReliabilityPaths.HostDll}");
        var summary = await ChaosCampaign.RunAsync(options);
        Console.WriteLine(summary.Details);
        Console.WriteLine(summary.Ok ? "RESULT OK" : $"RESULT FAILED (reproduce with --seed {summary.Seed})");
        return summary.Ok ? 0 : 1;
    }
}
