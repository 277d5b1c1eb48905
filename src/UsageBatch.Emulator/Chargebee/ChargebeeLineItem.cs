using System.Text.Json.Serialization;

namespace UsageBatch.Emulator.Chargebee;

/// <summary>One metered line of a renewal invoice: all of one item price's usages in the term.</summary>
internal sealed class ChargebeeLineItem
{
    public required string Id { get; init; }

    public required long DateFrom { get; init; }

    public required long DateTo { get; init; }

    public required long UnitAmount { get; init; }

    /// <summary>Absent when the sum has a fraction: quantity_in_decimal carries it then.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public long? Quantity => Sum.Whole;

    public string QuantityInDecimal => Sum.ToString();

    public long Amount => Sum.Amount(UnitAmount);

    public string PricingModel => "per_unit";

    public bool IsTaxed => false;

    public long TaxAmount => 0;

    public long DiscountAmount => 0;

    public long ItemLevelDiscountAmount => 0;

    public bool Metered => true;

    public string Description => EntityId + " usage";

    public string EntityType => "addon_item_price";

    /// <summary>The item price id.</summary>
    public required string EntityId { get; init; }

    public required string SubscriptionId { get; init; }

    public required string CustomerId { get; init; }

    public string Object => "line_item";

    [JsonIgnore]
    public QuantitySum Sum { get; set; } = QuantitySum.Zero;
}
