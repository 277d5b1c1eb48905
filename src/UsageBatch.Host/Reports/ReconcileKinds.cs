namespace UsageBatch.Reports;

/// <summary>What a reconcile finding is. Everything but <see cref="ReceiptAssigned"/> and <see cref="Invoiced"/> is a difference (exit 1).</summary>
internal static class ReconcileKinds
{
    /// <summary>Confirmed in our ledger, absent from the provider's list (deleted there, or never really stored).</summary>
    public const string MissingAtProvider = "missing_at_provider";

    /// <summary>At the provider, in no submission of ours: made elsewhere (admin console, another system).</summary>
    public const string NotInLedger = "not_in_ledger";

    /// <summary>Both sides have it, with different quantities or amounts.</summary>
    public const string ValueMismatch = "value_mismatch";

    /// <summary>The provider has since charged or invoiced it: the receipt / invoice id was written to the ledger and rows.</summary>
    public const string ReceiptAssigned = "receipt_assigned";

    /// <summary>Term invoicing: the usage is on no invoice and its term's invoice is closed (or the subscription was inactive then): it will never be billed.</summary>
    public const string NeverInvoiced = "never_invoiced";

    /// <summary>Term invoicing: the invoice of the usage's term was voided; the usage is billed by no invoice.</summary>
    public const string InvoiceVoided = "invoice_voided";

    /// <summary>Term invoicing: a metered line's quantity is not the sum of the usages on it (ours and foreign).</summary>
    public const string LineQuantityMismatch = "line_quantity_mismatch";

    /// <summary>Payments: the payment that charged the usage was refunded, in full or in part.</summary>
    public const string PaymentRefunded = "payment_refunded";

    /// <summary>Payments: the payment that charged the usage failed (or was voided, uncollectible).</summary>
    public const string PaymentFailed = "payment_failed";

    /// <summary>Term invoicing: the usage is on an invoice line; the invoice id was written to the ledger and rows.</summary>
    public const string Invoiced = "invoiced";

    /// <summary>
    /// The order a reader meets the kinds in (page, summary, stdout): money billed that the provider lost first, the
    /// routine receipts last. The JSON and CSV keep the reconciler's own order.
    /// </summary>
    public static readonly IReadOnlyList<string> ReadingOrder =
        [MissingAtProvider, NeverInvoiced, InvoiceVoided, PaymentFailed, PaymentRefunded, NotInLedger, ValueMismatch, LineQuantityMismatch, Invoiced, ReceiptAssigned];

    public static bool IsDifference(string kind) => kind is not (ReceiptAssigned or Invoiced);

    /// <summary>Position in <see cref="ReadingOrder"/>; a kind this build does not know sorts after the differences, before the receipts.</summary>
    public static int Rank(string kind) => !IsDifference(kind) ? ReadingOrder.Count : IndexOf(kind) is var i and >= 0 ? i : ReadingOrder.Count - 2;

    private static int IndexOf(string kind)
    {
        for (var i = 0; i < ReadingOrder.Count; i++)
        {
            if (ReadingOrder[i] == kind)
            {
                return i;
            }
        }

        return -1;
    }

    /// <summary>One sentence for finance: what the finding means and what to do.</summary>
    public static string Meaning(string kind) => kind switch
    {
        MissingAtProvider => "Billed in our ledger (rows marked billed) but not in the provider's list: deleted there? Ask the provider or re-bill.",
        NotInLedger => "At the provider but in none of our submissions: made elsewhere (admin console, another system).",
        ValueMismatch => "Both sides have the usage with different values; the value shown is the provider's minus ours.",
        NeverInvoiced => "On no invoice while its term's invoice is closed (or the subscription was not active then): the provider will never bill it. Regenerate that invoice at the provider, or bill it another way.",
        InvoiceVoided => "The invoice of its term was voided: the usage is billed by no invoice. Regenerate the invoice at the provider.",
        LineQuantityMismatch => "An invoice line bills a quantity other than the sum of the usages on it; the value shown is the line's minus the usages'. Ask the provider.",
        Invoiced => "Routine: the usage is on an invoice line; the invoice id is now in the ledger and on the rows.",
        PaymentFailed => "The payment that charged the usage failed: billed, not paid. Follow it up with the customer or the provider.",
        PaymentRefunded => "The payment that charged the usage was refunded (the value is what we billed): billed, money returned. Check it was meant to be.",
        ReceiptAssigned => "Routine: the provider has charged or invoiced the usage; its id is now in the ledger and on the rows.",
        _ => "A finding this page does not describe; see its detail in the CSV.",
    };
}
