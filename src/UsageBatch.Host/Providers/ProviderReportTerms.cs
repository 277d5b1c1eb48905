namespace UsageBatch.Providers;

/// <summary>
/// A provider's words in finance's reports: what its customer, item and receipt are called, and whether ids are shown
/// with the field they came from (a provider whose rows may carry either of two customer or item fields).
/// </summary>
/// <param name="Customer">The customer column's heading ("Subscription", "Customer").</param>
/// <param name="Item">The item column's heading ("Item price", "Item").</param>
/// <param name="QualifiedIds">Ids are shown as <c>field=id</c>.</param>
/// <param name="ReceiptId">The receipt id column's heading ("Invoice id", "Receipt id").</param>
/// <param name="ReceiptVerb">What the provider did when it assigned a receipt ("invoiced", "charged").</param>
/// <param name="ReceiptNoun">The receipt in a sentence ("invoice", "receipt").</param>
internal sealed record ProviderReportTerms(string Customer, string Item, bool QualifiedIds, string ReceiptId, string ReceiptVerb, string ReceiptNoun)
{
    /// <summary>For a run of a provider this build no longer knows: neutral words, ids with their fields.</summary>
    public static readonly ProviderReportTerms Generic = new("Customer", "Item", true, "Receipt id", "charged", "receipt");

    /// <summary>The terms of the provider a stored run or report names.</summary>
    public static ProviderReportTerms Of(string providerType) => ProviderRegistry.Find(providerType)?.ReportTerms ?? Generic;
}
