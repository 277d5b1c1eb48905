namespace UsageBatch.Reports;

/// <summary>
/// One line of a totals table: what was billed for one provider, item or customer, for one kind of value.
/// Amounts (money, in <see cref="Unit"/> = the currency) and quantities (units) are never added together.
/// </summary>
/// <param name="Field">What <see cref="Key"/> is: <c>provider</c>, or the provider's own field name (<c>billing_item_id</c>, <c>subscription_id</c>…).</param>
internal sealed record ReportTotal(
    string Field,
    string Key,
    string ValueKind,
    string Unit,
    int Submissions,
    int Rows,
    decimal Total);
