namespace UsageBatch.Reliability;

/// <summary>How long and how hard one crash/fault campaign is. The in-suite version uses a few kills; the long one hundreds.</summary>
internal sealed record ChaosOptions
{
    public int Seed { get; init; } = Environment.TickCount;
    public int Kills { get; init; } = 10;
    /// <summary>After this many kills, let a final run finish and check everything, then go on.</summary>
    public int KillsPerRound { get; init; } = 50;
    /// <summary>Program emulator faults before iterations (with this probability, 0 = never).</summary>
    public double FaultRate { get; init; }
    public int MaxKillDelayMs { get; init; } = 2500;
    public int InitialRows { get; init; } = 120;
    public int RowsPerIteration { get; init; } = 12;
    /// <summary>At least this many faults when an iteration programs any.</summary>
    public int MinFaultsPerIteration { get; init; } = 1;
    public ReliabilitySettings World { get; init; } = new();
    public TextWriter? Log { get; init; }
}
