namespace UsageBatch.Emulator;

public sealed class ChargebeeFixtures
{
    public IList<string> ApiKeys { get; set; } = [];

    public IList<ChargebeeSubscription> Subscriptions { get; set; } = [];
}
