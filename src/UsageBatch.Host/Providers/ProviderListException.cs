namespace UsageBatch.Providers;

/// <summary>
/// A list (reconciliation) could not be completed. <see cref="IUsageProvider.ListAsync"/> is an async stream, so
/// its failures cannot be returned as values; the outcome travels inside, with the same redacted message.
/// </summary>
internal sealed class ProviderListException : Exception
{
    public ProviderListException(ProviderOutcome outcome)
        : base((outcome ?? throw new ArgumentNullException(nameof(outcome))).ToString()) => Outcome = outcome;

    public ProviderListException()
        : this(ProviderOutcome.Unknown("list failed"))
    {
    }

    public ProviderListException(string message)
        : this(ProviderOutcome.Unknown(message))
    {
    }

    public ProviderListException(string message, Exception innerException)
        : base(message, innerException) => Outcome = ProviderOutcome.Unknown(message);

    public ProviderOutcome Outcome { get; }
}
