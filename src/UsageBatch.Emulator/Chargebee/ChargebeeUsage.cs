using System.Text.Json.Serialization;

namespace UsageBatch.Emulator.Chargebee;

/// <summary>A stored usage, serialised with Chargebee's field names (the provider's API docs).</summary>
internal sealed class ChargebeeUsage
{
    public required string Id { get; init; }

    public required long UsageDate { get; init; }

    public required string SubscriptionId { get; init; }

    public required string ItemPriceId { get; init; }

    /// <summary>Absent until invoiced, like the real API's optional field.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? InvoiceId { get; set; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? LineItemId { get; set; }

    /// <summary>Kept exactly as sent (a string on the wire), never re-formatted.</summary>
    public required string Quantity { get; init; }

    public required string Source { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Note { get; init; }

    public long ResourceVersion { get; set; }

    public long UpdatedAt { get; set; }

    public required long CreatedAt { get; init; }

    public string Object => "usage";

    [JsonIgnore]
    public long Sequence { get; init; }

    /// <summary>The optional chargebee-* request headers, accepted and ignored, kept so tests can see them in the ledger.</summary>
    [JsonIgnore]
    public IReadOnlyDictionary<string, string> RequestHeaders { get; init; } = new Dictionary<string, string>();
}
