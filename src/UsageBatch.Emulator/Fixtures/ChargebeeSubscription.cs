namespace UsageBatch.Emulator;

public sealed class ChargebeeSubscription
{
    public string Id { get; set; } = "";

    /// <summary><c>active</c>, <c>non_renewing</c> (both take usages), or anything else (refused).</summary>
    public string Status { get; set; } = "active";

    public IList<string> ItemPrices { get; set; } = [];

    /// <summary>Unix seconds, inclusive; null = open.</summary>
    public long? ActiveFrom { get; set; }

    /// <summary>Unix seconds, exclusive; null = open.</summary>
    public long? ActiveTo { get; set; }

    /// <summary>Usages recorded before the emulator started; they count towards the lifetime cap.</summary>
    public int ExistingUsages { get; set; }
}
