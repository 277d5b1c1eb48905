namespace UsageBatch.Emulator;

/// <summary>A billing item; it belongs to no particular company here (any known customer may use any item).</summary>
public sealed class WhopBillingItem
{
    public string Id { get; set; } = "";

    public string? Identifier { get; set; }

    /// <summary><c>structured</c> (takes quantity) or <c>variable</c> (takes amount).</summary>
    public string Type { get; set; } = "structured";

    public string Currency { get; set; } = "usd";

    /// <summary>
    /// What one unit of a structured item costs when the emulator charges it (a variable item's usage carries its
    /// own amount). Emulator-only: v5 prices items on plans the emulator does not model.
    /// </summary>
    public decimal UnitPrice { get; set; } = 1.00m;

    /// <summary>Optional: lets the list's <c>product_id</c> filter match something.</summary>
    public string? ProductId { get; set; }
}
