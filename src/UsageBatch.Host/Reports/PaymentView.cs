namespace UsageBatch.Reports;

/// <summary>A payment that charged our usages (Whop): its status and amounts, and which of our submissions and rows it covers.</summary>
internal sealed record PaymentView(string PaymentId, string Status, decimal? FinalAmount, decimal? RefundedAmount, string? Currency,
    DateTimeOffset? PaidAt, DateTimeOffset? RefundedAt, int Usages, IReadOnlyList<long> OurSubmissions, int OurRows);
