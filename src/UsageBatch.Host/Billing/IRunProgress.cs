namespace UsageBatch.Billing;

/// <summary>
/// What a person watching a run sees, phase by phase (validate, claim and prepare, send). Called from the run's
/// phases and, during sends, from parallel senders: implementations are thread-safe and never throw.
/// </summary>
internal interface IRunProgress
{
    /// <summary>A phase starts; <paramref name="total"/> when the amount of work is known (submissions to send).</summary>
    void Phase(string name, int? total = null);

    /// <summary>One more unit of the current phase is done.</summary>
    void Step();

    /// <summary>The current phase ended; <paramref name="summary"/> says what it did.</summary>
    void Done(string summary);
}
