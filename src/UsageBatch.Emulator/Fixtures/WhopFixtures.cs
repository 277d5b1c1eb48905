namespace UsageBatch.Emulator;

public sealed class WhopFixtures
{
    public IList<string> ApiKeys { get; set; } = [];

    public IList<string> Companies { get; set; } = [];

    public IList<WhopMembership> Memberships { get; set; } = [];

    public IList<WhopBillingItem> BillingItems { get; set; } = [];
}
