using UsageBatch.Billing;
using UsageBatch.Providers;
using UsageBatch.Usage;

namespace UsageBatch.Reports;

/// <summary>
/// The exact tie-out for a provider that invoices usage by term: every confirmed submission whose usage is on no invoice
/// is checked against its term (the term's invoice closed or voided, or the subscription inactive then: it will never be
/// billed), and every invoice our usages are on is read with all the usages on it, line by line (a line whose quantity
/// is not the sum of its usages, ours and foreign, is a finding).
/// </summary>
internal sealed class InvoiceTieOut(IUsageProvider provider)
{
    public async Task<(List<ReconcileFinding> Findings, List<InvoiceView> Invoices)> RunAsync(
        IReadOnlyList<LedgerSubmission> ours, IReadOnlyList<ProviderUsage> listed, IReadOnlyDictionary<string, LedgerSubmission> ownerOf, CancellationToken cancellationToken)
    {
        var findings = new List<ReconcileFinding>();
        var byId = listed.ToDictionary(u => u.Id, StringComparer.Ordinal);
        foreach (var submission in ours)
        {
            if (submission.ProviderUsageId is not { } usageId || !byId.TryGetValue(usageId, out var usage) || usage.ReceiptId is not null)
            {
                continue; // not at the provider (missing_at_provider says so), or on an invoice
            }

            var check = await provider.CheckTermAsync(
                new ProviderSubmission(submission.Id, submission.Target, submission.Total, submission.UsageId, usage.UsageDate ?? submission.UsageDate, SubmissionNote.For(submission)),
                cancellationToken);
            if (check.Failure is { } failure)
            {
                throw new ProviderListException(failure);
            }

            var kind = check.Standing switch
            {
                TermStanding.Late when check.InvoiceStatus == "voided" => ReconcileKinds.InvoiceVoided,
                TermStanding.Late or TermStanding.Inactive => ReconcileKinds.NeverInvoiced,
                _ => null, // its term is current, or its invoice is still pending: not billed yet, not lost
            };
            if (kind is not null)
            {
                findings.Add(new ReconcileFinding(kind, submission.Id, usage.Id, submission.Target.CustomerField, submission.Target.CustomerId,
                    submission.Target.ItemField, submission.Target.ItemId, submission.Target.ValueField, submission.Total, usage.Value, check.InvoiceId,
                    usage.UsageDate, usage.CreatedAt, check.Detail));
            }
        }

        var invoices = new List<InvoiceView>();
        foreach (var invoiceId in listed.Select(u => u.ReceiptId).OfType<string>().Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal))
        {
            if (await provider.GetInvoiceAsync(invoiceId, cancellationToken) is not { } invoice)
            {
                continue;
            }

            var (view, mismatches) = await TieAsync(invoice, ownerOf, cancellationToken);
            invoices.Add(view);
            findings.AddRange(mismatches);
        }

        return (findings, invoices);
    }

    private async Task<(InvoiceView, List<ReconcileFinding>)> TieAsync(ProviderInvoice invoice, IReadOnlyDictionary<string, LedgerSubmission> ownerOf, CancellationToken cancellationToken)
    {
        var onInvoice = new List<ProviderUsage>();
        if (invoice.Lines.Count > 0)
        {
            var query = new UsageListQuery(invoice.Lines.Min(l => l.DateFrom), invoice.Lines.Max(l => l.DateTo)) { InvoiceId = invoice.Id };
            await foreach (var usage in provider.ListAsync(query, cancellationToken))
            {
                onInvoice.Add(usage);
            }
        }

        var lines = new List<InvoiceLineView>();
        var findings = new List<ReconcileFinding>();
        foreach (var line in invoice.Lines)
        {
            var usages = onInvoice.Where(u => u.LineItemId == line.Id).ToList();
            var mine = usages.Select(u => ownerOf.GetValueOrDefault(u.Id)).OfType<LedgerSubmission>().DistinctBy(s => s.Id).ToList();
            var total = usages.Sum(u => u.Value);
            lines.Add(new InvoiceLineView(line.Id, line.ItemId, line.DateFrom, line.DateTo, line.Quantity, total, usages.Count, usages.Count - mine.Count,
                mine.Select(s => s.Id).Order().ToList(), mine.Sum(s => s.RowCount)));
            if (total != line.Quantity)
            {
                var any = usages.FirstOrDefault();
                findings.Add(new ReconcileFinding(ReconcileKinds.LineQuantityMismatch, mine.FirstOrDefault()?.Id, any?.Id,
                    any?.Target.CustomerField ?? "subscription_id", any?.Target.CustomerId ?? "", "item_price_id", line.ItemId, "quantity",
                    total, line.Quantity, invoice.Id, line.DateFrom, null,
                    $"line {line.Id} of invoice {invoice.Id} ({invoice.Status}) bills {DecimalText.Format(line.Quantity)}, but the {usages.Count} usages on it add up to {DecimalText.Format(total)} ({mine.Count} of them ours)"));
            }
        }

        return (new InvoiceView(invoice.Id, invoice.Status, lines), findings);
    }
}
