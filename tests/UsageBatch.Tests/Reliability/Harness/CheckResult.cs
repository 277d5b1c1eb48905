namespace UsageBatch.Reliability;

/// <summary>What <see cref="InvariantCheck"/> found: counts, and every problem in words (empty when all holds).</summary>
internal sealed record CheckResult(int Rows, int Billed, int Rejected, int Held, int Pending, int ProviderUsages, int DoubleBilled, int Lost,
    IReadOnlyList<string> Problems)
{
    public bool Ok => DoubleBilled == 0 && Lost == 0 && Problems.Count == 0;

    public override string ToString() =>
        $"rows={Rows} billed={Billed} rejected={Rejected} held={Held} pending={Pending} provider-usages={ProviderUsages} double-billed={DoubleBilled} lost={Lost}"
        + (Problems.Count == 0 ? "" : "\n  " + string.Join("\n  ", Problems.Take(30)));
}
