namespace UsageBatch.Emulator;

/// <summary>How to start an <see cref="EmulatorServer"/>; the standalone command line maps onto the same options.</summary>
public sealed class EmulatorOptions
{
    /// <summary>e.g. <c>http://127.0.0.1:5080</c>; null = 127.0.0.1 on a free port.</summary>
    public string? Urls { get; set; }

    /// <summary>A fixture JSON file.</summary>
    public string? FixturesPath { get; set; }

    /// <summary>In-memory fixtures; win over <see cref="FixturesPath"/>. Neither = <see cref="EmulatorFixtures.CreateDefault"/>.</summary>
    public EmulatorFixtures? Fixtures { get; set; }

    /// <summary>Added to every provider call (never to control endpoints), to make pacing and timeouts visible.</summary>
    public int LatencyMs { get; set; }

    /// <summary>
    /// Drives created_at, rate-limit windows, lock-outs, idempotency expiry and renewals, so tests never wait for real
    /// time; /_emulator/clock can move the emulator further ahead of it.
    /// </summary>
    public TimeProvider Time { get; set; } = TimeProvider.System;
}
