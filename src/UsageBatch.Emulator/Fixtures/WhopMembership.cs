namespace UsageBatch.Emulator;

public sealed class WhopMembership
{
    public string Id { get; set; } = "";

    /// <summary>The company a usage lands on when only the membership is given.</summary>
    public string CompanyId { get; set; } = "";
}
