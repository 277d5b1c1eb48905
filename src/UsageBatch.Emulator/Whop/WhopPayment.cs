using System.Text.Json.Serialization;

namespace UsageBatch.Emulator.Whop;

/// <summary>
/// A stored payment (v5 calls it a receipt), serialised with the fields v5 documents for
/// <c>GET /app/payments</c> (the provider's API docs). Amounts are decimal currency units, not cents.
/// </summary>
internal sealed class WhopPayment
{
    public const string Paid = "paid";

    public const string Refunded = "refunded";

    // inferred (the provider's API docs [?]): v5 lists no status for a charge whose attempt failed; "failed" is ours.
    public const string Failed = "failed";

    public required string Id { get; init; }

    public string? MembershipId { get; init; }

    public string? ProductId { get; init; }

    // inferred (the provider's API docs [?]): the emulator knows no users or plans, so these stay null.
    public string? UserId { get; init; }

    public string? PlanId { get; init; }

    public required string CompanyId { get; init; }

    // inferred (the provider's API docs [?]): a charge of billing usages has no checkout line item.
    public string? LineItemId { get; init; }

    public required long CreatedAt { get; init; }

    public long? PaidAt { get; set; }

    public long? RefundedAt { get; set; }

    public long? LastPaymentAttempt { get; set; }

    // inferred (the provider's API docs [?]): the emulator schedules no retries, so this stays null.
    public long? NextPaymentAttempt { get; set; }

    public required string Status { get; set; }

    public required decimal Subtotal { get; init; }

    public required decimal FinalAmount { get; init; }

    // inferred (the provider's API docs [?]): 0 until refunded rather than null; it adds up partial refunds.
    public decimal RefundedAmount { get; set; }

    public int PaymentsFailed { get; set; }

    public required string Currency { get; init; }

    // inferred (the provider's API docs [?]): the emulator charges no card, so brand and last four stay null.
    public string? CardBrand { get; init; }

    // The snake_case policy would write "card_last4"; v5 spells it with the underscore.
    [JsonPropertyName("card_last_4")]
    public string? CardLast4 { get; init; }

    public required IReadOnlyList<string> BillingUsageIds { get; init; }

    [JsonIgnore]
    public long Sequence { get; init; }
}
