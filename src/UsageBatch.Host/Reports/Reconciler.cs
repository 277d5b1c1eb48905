using UsageBatch.Billing;
using UsageBatch.Configuration;
using UsageBatch.Providers;
using UsageBatch.Storage;
using UsageBatch.Usage;

namespace UsageBatch.Reports;

/// <summary>
/// Compares our ledger with the provider's own list of usages over [from, to) and writes receipts found there back to
/// the ledger and the usage rows. How the provider is listed is its capability: one list over the usage date, or (a
/// provider with no date filter and no list across customers) one list per (customer, item) pair our ledger confirmed
/// in the period, filtered by created_at here; "made elsewhere" can then only be seen within those pairs.
/// </summary>
internal sealed class Reconciler(IReportStore store, IUsageProvider provider, JobOptions job, ProviderAccountOptions account, TimeProvider time)
{
    public async Task<ReconcileReport> RunAsync(DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken)
    {
        var capabilities = account.Module.Capabilities;
        var ours = await store.ConfirmedInPeriodAsync(job.Provider, capabilities.Dating, from, to, cancellationToken);
        var listed = capabilities.Listing switch
        {
            ReconcileListing.WholePeriod => await ListAsync(new UsageListQuery(from, to), cancellationToken),
            ReconcileListing.PerCustomerAndItem => await ListPerCustomerAndItemAsync(ours, from, to, cancellationToken),
            _ => throw new InvalidOperationException($"unknown listing {capabilities.Listing}"),
        };
        var owners = await store.SubmissionsByUsageIdsAsync(job.Provider, listed.Select(u => u.Id).ToList(), cancellationToken);
        var ownerOf = new Dictionary<string, LedgerSubmission>(StringComparer.Ordinal);
        foreach (var s in owners)
        {
            foreach (var id in new[] { s.UsageId, s.ProviderUsageId }.OfType<string>())
            {
                ownerOf.TryAdd(id, s);
            }
        }

        var findings = new List<ReconcileFinding>();
        var seen = new HashSet<long>();
        foreach (var usage in listed)
        {
            if (!ownerOf.TryGetValue(usage.Id, out var owner))
            {
                // A per-pair listing is widened by the clock skew so our own sends near the edges are found; only
                // usages created inside the period count as made elsewhere.
                if (capabilities.Listing == ReconcileListing.WholePeriod || usage.CreatedAt >= from && usage.CreatedAt < to)
                {
                    findings.Add(Finding(ReconcileKinds.NotInLedger, null, usage, usage.Target, null,
                        "at the provider but in no submission of our ledger: made elsewhere (admin console, another system) or by a job this ledger does not know"));
                }

                continue;
            }

            seen.Add(owner.Id);
            if (usage.Value != owner.Total)
            {
                findings.Add(Finding(ReconcileKinds.ValueMismatch, owner, usage, owner.Target, owner.Total,
                    $"the provider holds {DecimalText.Format(usage.Value)}, our ledger {DecimalText.Format(owner.Total)}"));
            }

            if (usage.ReceiptId is { } receipt && receipt != owner.ProviderReceiptId)
            {
                var rows = await store.RecordReceiptAsync(owner.Id, receipt, time.GetUtcNow(), cancellationToken);
                var kind = capabilities.InvoicesByTerm ? ReconcileKinds.Invoiced : ReconcileKinds.ReceiptAssigned;
                var line = usage.LineItemId is { } lineId ? $" (line {lineId})" : "";
                findings.Add(Finding(kind, owner, usage, owner.Target, owner.Total,
                    $"{account.Module.ReportTerms.ReceiptNoun} {receipt}{line} written to the ledger and to {rows} billed rows"
                    + (owner.ProviderReceiptId is null ? "" : $" (was {owner.ProviderReceiptId})")));
            }
        }

        foreach (var submission in ours.Where(s => !seen.Contains(s.Id)))
        {
            findings.Add(new ReconcileFinding(ReconcileKinds.MissingAtProvider, submission.Id, submission.ProviderUsageId ?? submission.UsageId,
                submission.Target.CustomerField, submission.Target.CustomerId, submission.Target.ItemField, submission.Target.ItemId,
                submission.Target.ValueField, submission.Total, null, submission.ProviderReceiptId, submission.UsageDate, submission.LastAttemptAt,
                "confirmed in our ledger but not in the provider's list: deleted there? Its rows are marked billed."));
        }

        List<PaymentView>? payments = null;
        if (capabilities.ChargesByPayment)
        {
            var (paymentFindings, views) = await new PaymentTieOut(provider).RunAsync(ours, ownerOf, cancellationToken);
            findings.AddRange(paymentFindings);
            payments = views;
        }

        List<InvoiceView>? invoices = null;
        if (capabilities.InvoicesByTerm)
        {
            var (tieOut, views) = await new InvoiceTieOut(provider).RunAsync(ours, listed, ownerOf, cancellationToken);
            findings.AddRange(tieOut);
            invoices = views;
        }

        return new ReconcileReport(1, job.Name, job.Provider, account.Module.Type, from, to, time.GetUtcNow(), account.Currency,
            ours.Count, listed.Count, findings.OrderBy(f => f.Kind, StringComparer.Ordinal).ThenBy(f => f.SubmissionId).ThenBy(f => f.ProviderUsageId, StringComparer.Ordinal).ToList(),
            invoices,
            payments);
    }

    private static ReconcileFinding Finding(string kind, LedgerSubmission? owner, ProviderUsage usage, SubmissionTarget target, decimal? ours, string detail) =>
        new(kind, owner?.Id, usage.Id, target.CustomerField, target.CustomerId, target.ItemField, target.ItemId, usage.Target.ValueField,
            ours, usage.Value, usage.ReceiptId, usage.UsageDate, usage.CreatedAt, detail);

    private async Task<List<ProviderUsage>> ListPerCustomerAndItemAsync(IReadOnlyList<LedgerSubmission> ours, DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken)
    {
        var usages = new Dictionary<string, ProviderUsage>(StringComparer.Ordinal);
        var pairs = ours.Select(s => (s.Target.CustomerField, s.Target.CustomerId, s.Target.ItemField, s.Target.ItemId)).Distinct()
            .OrderBy(p => p.CustomerId, StringComparer.Ordinal).ThenBy(p => p.ItemId, StringComparer.Ordinal);
        foreach (var (customerField, customerId, itemField, itemId) in pairs)
        {
            var query = new UsageListQuery(from - account.ClockSkew, to + account.ClockSkew, customerField, customerId, itemField, itemId);
            foreach (var usage in await ListAsync(query, cancellationToken))
            {
                usages.TryAdd(usage.Id, usage);
            }
        }

        return usages.Values.ToList();
    }

    private async Task<List<ProviderUsage>> ListAsync(UsageListQuery query, CancellationToken cancellationToken)
    {
        var usages = new List<ProviderUsage>();
        await foreach (var usage in provider.ListAsync(query, cancellationToken))
        {
            usages.Add(usage);
        }

        return usages;
    }
}
