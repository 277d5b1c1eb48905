namespace UsageBatch.Usage;

/// <summary>A usage row's billing_status. The stored text lives in <see cref="UsageRowStatusText"/> only.</summary>
internal enum UsageRowStatus
{
    Pending,
    Claimed,
    Billed,
    Rejected,
    Held,
}

/// <summary>The one place a <see cref="UsageRowStatus"/> meets its stored text (an exhaustive switch: a new state without text does not build).</summary>
internal static class UsageRowStatusText
{
    public static string ToText(UsageRowStatus status) => status switch
    {
        UsageRowStatus.Pending => "pending",
        UsageRowStatus.Claimed => "claimed",
        UsageRowStatus.Billed => "billed",
        UsageRowStatus.Rejected => "rejected",
        UsageRowStatus.Held => "held",
    };
}
