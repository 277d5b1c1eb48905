namespace UsageBatch.Tests.Reliability;

/// <summary>
/// The reliability tests start real processes and time kills against 3 s leases: they run one at a time and alone,
/// so another test's CPU burst cannot starve a run past its lease.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ReliabilityCollection
{
    public const string Name = "Reliability";
}
