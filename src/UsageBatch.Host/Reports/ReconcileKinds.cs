namespace UsageBatch.Reports;

/// <summary>What a reconcile finding is. Everything but <see cref="ReceiptAssigned"/> is a difference (exit 1).</summary>
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

    /// <summary>Chargebee: no invoice id though a later usage of the same subscription is invoiced; Chargebee will never bill it.</summary>
    public const string NeverInvoiced = "never_invoiced";

    public static bool IsDifference(string kind) => kind != ReceiptAssigned;
}
