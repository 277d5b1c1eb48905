using System.Text.Json.Serialization;

namespace UsageBatch.Emulator.Chargebee;

/// <summary>A renewal invoice, serialised with Chargebee's field names (the provider's API docs).</summary>
internal sealed class ChargebeeInvoice
{
    public required string Id { get; init; }

    public required string CustomerId { get; init; }

    public required string SubscriptionId { get; init; }

    public bool Recurring => true;

    /// <summary><c>pending</c>, <c>posted</c>, <c>paid</c> or <c>voided</c> here (the API also knows payment_due and not_paid).</summary>
    public required string Status { get; set; }

    public string PriceType => "tax_exclusive";

    /// <summary>The end of the term it bills.</summary>
    public required long Date { get; init; }

    /// <summary>inferred (the provider's API docs leave payment terms to the site): due on its date.</summary>
    public long DueDate => Date;

    public required long GeneratedAt { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public long? PaidAt { get; set; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public long? VoidedAt { get; set; }

    public long UpdatedAt { get; set; }

    public long ResourceVersion { get; set; }

    public required string CurrencyCode { get; init; }

    public long SubTotal => LineItems.Sum(l => l.Amount);

    public long Tax => 0;

    public long Total => SubTotal;

    public long AmountPaid => PaidAt is null ? 0 : Total;

    public long AmountAdjusted => 0;

    public long CreditsApplied => 0;

    /// <summary>inferred (the provider's API docs): nothing is due on a paid or voided invoice.</summary>
    public long AmountDue => Status == "voided" ? 0 : Total - AmountPaid;

    public long WriteOffAmount => 0;

    public bool FirstInvoice => false;

    public bool TermFinalized => true;

    public bool Deleted => false;

    public string Object => "invoice";

    public List<ChargebeeLineItem> LineItems { get; } = [];

    /// <summary>The billed term: usages dated in [TermStart, TermEnd) belong to this invoice.</summary>
    [JsonIgnore]
    public long TermStart { get; init; }

    [JsonIgnore]
    public long TermEnd { get; init; }

    [JsonIgnore]
    public long Sequence { get; init; }
}
