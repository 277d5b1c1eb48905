using System.Globalization;

namespace UsageBatch.Reliability;

/// <summary>The campaign's result; <see cref="Line"/> is the one-line summary the long run prints.</summary>
internal sealed record ChaosSummary(int Seed, int Kills, int Finished, int Rounds, IReadOnlyDictionary<string, int> Faults, IReadOnlyDictionary<string, int> FaultHits, int Rows, int ProviderUsages,
    int DoubleBilled, int Lost, IReadOnlyList<string> Problems)
{
    public bool Ok => DoubleBilled == 0 && Lost == 0 && Problems.Count == 0;

    public string Line => string.Create(CultureInfo.InvariantCulture,
        $"seed={Seed} kills={Kills} finished-runs={Finished} rounds={Rounds} faults={Faults.Values.Sum()} ({Faults.Count} kinds, {FaultHits.Count(h => h.Value > 0)} kinds hit, {FaultHits.Values.Sum()} requests faulted) rows={Rows} provider-usages={ProviderUsages} double-billed={DoubleBilled} lost={Lost}");

    public string Details => Line
        + "\n  faults: " + string.Join(", ", Faults.OrderBy(f => f.Key, StringComparer.Ordinal).Select(f => $"{f.Key}={f.Value.ToString(CultureInfo.InvariantCulture)} (hit {FaultHits.GetValueOrDefault(f.Key).ToString(CultureInfo.InvariantCulture)})"))
        + (Problems.Count == 0 ? "" : "\n  problems (rerun with this seed to reproduce):\n  " + string.Join("\n  ", Problems.Take(40)));
}
