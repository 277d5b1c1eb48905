namespace UsageBatch.Emulator;

/// <summary>
/// Everything the emulator remembers. One lock guards all of it: requests are tiny, and a single lock makes
/// the provider rules (one usage per date, the cap, duplicate ids) trivially atomic under concurrent calls.
/// </summary>
internal sealed class EmulatorState(EmulatorFixtures fixtures, TimeProvider time)
{
    private long _sequence;

    public Lock Gate { get; } = new();

    /// <summary>The injected clock, movable forward by /_emulator/clock.</summary>
    public ShiftableTimeProvider Time { get; } = new(time);

    /// <summary>When this emulator started: the created_at of a subscription the fixtures give no date for.</summary>
    public long StartedAt { get; } = time.GetUtcNow().ToUnixTimeSeconds();

    public EmulatorFixtures Fixtures { get; private set; } = fixtures;

    public List<Whop.WhopUsage> WhopUsages { get; } = [];

    /// <summary>Payments (v5's receipts) made by charges, in creation order.</summary>
    public List<Whop.WhopPayment> WhopPayments { get; } = [];

    public List<Chargebee.ChargebeeUsage> ChargebeeUsages { get; } = [];

    /// <summary>Renewal invoices, in creation order.</summary>
    public List<Chargebee.ChargebeeInvoice> ChargebeeInvoices { get; } = [];

    /// <summary>Where each subscription with terms has got to; absent = still at its fixture's current term.</summary>
    public Dictionary<string, Chargebee.ChargebeeTerm> ChargebeeTerms { get; } = new(StringComparer.Ordinal);

    public Faults.FaultStore Faults { get; } = new();

    public Whop.WhopRateLimiter WhopLimiter { get; } = new();

    public SlidingWindow ChargebeeLimiter { get; } = new();

    public Chargebee.IdempotencyCache Idempotency { get; } = new();

    /// <summary>Insertion order, the tie-breaker for every sort (timestamps have one-second resolution).</summary>
    public long NextSequence() => Interlocked.Increment(ref _sequence);

    public void Reset()
    {
        lock (Gate)
        {
            WhopUsages.Clear();
            WhopPayments.Clear();
            ChargebeeUsages.Clear();
            ChargebeeInvoices.Clear();
            ChargebeeTerms.Clear();
            Time.ClearOffset();
            Faults.Clear();
            WhopLimiter.Clear();
            ChargebeeLimiter.Clear();
            Idempotency.Clear();
        }
    }

    public void ReplaceFixtures(EmulatorFixtures fixtures)
    {
        lock (Gate)
        {
            Fixtures = fixtures;
            Reset();
        }
    }
}
