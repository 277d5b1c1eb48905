using UsageBatch.Billing;
using UsageBatch.Providers;

namespace UsageBatch.Reports;

/// <summary>
/// For a provider that charges usage by payments: each confirmed usage's payment (the one whose usage ids hold it) and
/// its status. A refunded or failed payment is a difference: the usage was billed, the money did not arrive or went back.
/// </summary>
internal sealed class PaymentTieOut(IUsageProvider provider)
{
    public async Task<(List<ReconcileFinding> Findings, List<PaymentView> Payments)> RunAsync(
        IReadOnlyList<LedgerSubmission> ours, IReadOnlyDictionary<string, LedgerSubmission> ownerOf, CancellationToken cancellationToken)
    {
        var ourUsages = ours.Where(s => s.ProviderUsageId is not null).ToDictionary(s => s.ProviderUsageId!, StringComparer.Ordinal);
        var findings = new List<ReconcileFinding>();
        var views = new List<PaymentView>();
        await foreach (var payment in provider.ListPaymentsAsync(cancellationToken))
        {
            var mine = payment.UsageIds.Select(id => ourUsages.GetValueOrDefault(id) ?? ownerOf.GetValueOrDefault(id)).OfType<LedgerSubmission>().DistinctBy(s => s.Id).ToList();
            if (mine.Count == 0)
            {
                continue; // a payment for nothing we billed in the period
            }

            views.Add(new PaymentView(payment.Id, payment.Status, payment.FinalAmount, payment.RefundedAmount, payment.Currency, payment.PaidAt, payment.RefundedAt,
                payment.UsageIds.Count, mine.Select(s => s.Id).Order().ToList(), mine.Sum(s => s.RowCount)));
            var kind = payment.Status switch
            {
                "refunded" => ReconcileKinds.PaymentRefunded,
                "paid" when (payment.RefundedAmount ?? 0m) > 0m => ReconcileKinds.PaymentRefunded,
                "failed" or "uncollectible" or "void" => ReconcileKinds.PaymentFailed,
                _ => null,
            };
            if (kind is null)
            {
                continue;
            }

            foreach (var submission in mine)
            {
                findings.Add(new ReconcileFinding(kind, submission.Id, submission.ProviderUsageId, submission.Target.CustomerField, submission.Target.CustomerId,
                    submission.Target.ItemField, submission.Target.ItemId, submission.Target.ValueField, submission.Total, null, payment.Id,
                    submission.UsageDate, submission.LastAttemptAt,
                    kind == ReconcileKinds.PaymentRefunded
                        ? $"payment {payment.Id} is {payment.Status}: {Usage.DecimalText.Format(payment.RefundedAmount ?? 0m)} of {Usage.DecimalText.Format(payment.FinalAmount ?? 0m)} {payment.Currency} refunded"
                        : $"payment {payment.Id} is {payment.Status}: the customer has not paid for this usage"));
            }
        }

        return (findings, views);
    }
}
