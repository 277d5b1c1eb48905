using System.Text.Json.Serialization;

namespace UsageBatch.Emulator.Whop;

/// <summary>A stored billing usage, serialised exactly as v5 documents it (quantity/amount echo the sent decimal).</summary>
internal sealed class WhopUsage
{
    public required string Id { get; init; }

    public required long CreatedAt { get; init; }

    public required string CompanyId { get; init; }

    public required string AppId { get; init; }

    public string? MembershipId { get; init; }

    public required string BillingItemId { get; init; }

    public decimal? Quantity { get; init; }

    public decimal? Amount { get; init; }

    public string? ReceiptId { get; set; }

    [JsonIgnore]
    public long Sequence { get; init; }

    [JsonIgnore]
    public string? ProductId { get; init; }

    [JsonIgnore]
    public string? BillingItemIdentifier { get; init; }
}
