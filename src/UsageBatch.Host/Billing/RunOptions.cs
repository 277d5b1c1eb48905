namespace UsageBatch.Billing;

/// <summary>How one run is asked to behave (from the CLI or the scheduler).</summary>
/// <param name="UseRunGuard">Off only in tests that prove claims alone keep racing runs apart (I7).</param>
/// <param name="ReportsDirectory">Where the run's report files are written afterwards, so its summary log line can name them.</param>
/// <param name="Timings">Per-phase Stopwatch splits for the benchmark; null (no splits) everywhere else.</param>
/// <param name="Progress">What a person watching `run` sees per phase; null under the scheduler and in tests.</param>
internal sealed record RunOptions(bool DryRun = false, bool UseRunGuard = true, string? Host = null, string? ReportsDirectory = null, RunTimings? Timings = null,
    IRunProgress? Progress = null);
