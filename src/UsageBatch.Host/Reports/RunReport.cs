using System.Text.Json;
using System.Text.Json.Serialization;

namespace UsageBatch.Reports;

/// <summary>
/// Everything finance sees about one run, built only from what the run recorded in the ledger
/// (<see cref="RunReportBuilder"/>); the HTML, CSV and JSON files are renderings of this one value.
/// </summary>
/// <param name="Summary">The run's own summary (ub_run.summary_json) as it was written, when the run finished.</param>
internal sealed record RunReport(
    int FormatVersion,
    ReportRunInfo Run,
    IReadOnlyList<ReportTotal> TotalsByProvider,
    IReadOnlyList<ReportTotal> TotalsByItem,
    IReadOnlyList<ReportTotal> TotalsByCustomer,
    IReadOnlyList<ControlCheckLine> ControlCheck,
    IReadOnlyList<ReportSubmission> Submissions,
    IReadOnlyList<ReportException> Exceptions,
    IReadOnlyList<CapLine> CapWarnings,
    JsonElement? Summary,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] IReadOnlyList<LateUsageLine>? LateUsage = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] SilentCustomers? SilentCustomers = null)
{
    public const int CurrentFormat = 1;

    /// <summary>Every control line passed (a run that sent nothing has nothing to fail).</summary>
    public bool ControlPassed => ControlCheck.All(c => c.Passed);
}

/// <summary>
/// Customers billed in each of the job's previous <see cref="Runs"/> runs that billed anything, with no usage in this
/// run: informational (a customer can simply stop using), but the first sign of an upstream feed that lost a customer.
/// </summary>
internal sealed record SilentCustomers(int Runs, IReadOnlyList<SilentCustomer> Customers);

internal sealed record SilentCustomer(string Field, string Id);
