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
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] IReadOnlyList<LateUsageLine>? LateUsage = null)
{
    public const int CurrentFormat = 1;

    /// <summary>Every control line passed (a run that sent nothing has nothing to fail).</summary>
    public bool ControlPassed => ControlCheck.All(c => c.Passed);
}
