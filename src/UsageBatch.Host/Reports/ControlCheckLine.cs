namespace UsageBatch.Reports;

/// <summary>
/// The control check for one kind of value: the total of the rows this run billed through the provider against the
/// totals the provider echoed back in its responses (stored in the ledger). Passes when they are equal and every
/// confirmed submission has an echo.
/// </summary>
/// <param name="Mismatched">Submissions whose echo is missing or differs from their total.</param>
internal sealed record ControlCheckLine(
    string ValueKind,
    string Unit,
    int Submissions,
    int Rows,
    decimal BilledTotal,
    decimal EchoedTotal,
    IReadOnlyList<long> Mismatched)
{
    public bool Passed => BilledTotal == EchoedTotal && Mismatched.Count == 0;

    public string Result => Passed ? "PASS" : "FAIL";
}
