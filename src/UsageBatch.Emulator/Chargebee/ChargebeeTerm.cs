namespace UsageBatch.Emulator.Chargebee;

/// <summary>How far one subscription with terms has renewed since the emulator started (or was reset).</summary>
internal sealed class ChargebeeTerm
{
    /// <summary>Terms ended since the fixture's current term: 0 = still in it.</summary>
    public int Index { get; set; }

    /// <summary>Cancelled: its last invoice is out and no term follows.</summary>
    public bool Ended { get; set; }
}
