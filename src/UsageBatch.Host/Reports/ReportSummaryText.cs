using System.Globalization;
using UsageBatch.Billing;

namespace UsageBatch.Reports;

/// <summary>
/// The paragraph at the top of a run's report, for a reviewer who reads ten seconds: what was sent, what was billed
/// (per value kind and currency), what was not billed and why (count and value), and the control check. Built from
/// the report alone, so a re-rendered report says the same.
/// </summary>
internal static class ReportSummaryText
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    public static string For(RunReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        var run = report.Run;
        var parts = new List<string>
        {
            string.Create(Inv, $"Run {run.RunId} of {run.Job} {run.Outcome}{(run.ExitCode is { } e ? $" (exit {e})" : "")}{(run.Message is null ? "" : ": " + run.Message.TrimEnd('.'))}."),
        };

        var sent = report.Submissions.Where(s => s.State == SubmissionStatus.Confirmed).ToList();
        var billed = report.Submissions.Where(s => s.State is SubmissionStatus.Confirmed or SubmissionStatus.Zero).ToList();
        var recovered = report.Submissions.Count(s => s.FinishedForRun is not null && s.State is SubmissionStatus.Confirmed or SubmissionStatus.Zero);
        parts.Add(billed.Count == 0
            ? "Nothing was billed."
            : string.Create(Inv, $"{Count(sent.Count, "usage")} confirmed by {run.Provider}; {Count(billed.Sum(s => s.RowCount), "row")} billed: {Values(billed)}{(recovered > 0 ? $", {recovered} of them finished for a run that died" : "")}."));

        var notBilled = report.Submissions
            .Where(s => s.State is SubmissionStatus.Rejected or SubmissionStatus.Held or SubmissionStatus.Released or SubmissionStatus.Void or SubmissionStatus.Sent or SubmissionStatus.Prepared)
            .GroupBy(s => s.Status)
            .OrderBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => string.Create(Inv, $"{Count(g.Count(), "group")} {Why(g.Key)} ({Count(g.Sum(s => s.RowCount), "row")}, {Values(g)})"))
            .ToList();
        var loose = report.Exceptions.Where(x => x.Scope == "row" && !report.Submissions.Any(s => s.Id == x.SubmissionId && s.State != SubmissionStatus.Confirmed))
            .GroupBy(x => x.Kind).OrderBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => string.Create(Inv, $"{Count(g.Count(), "row")} {g.Key} on their own (reasons in the exceptions)"));
        notBilled.AddRange(loose);
        parts.Add(notBilled.Count == 0 ? "Nothing was left unbilled." : "Not billed: " + string.Join("; ", notBilled) + ".");

        parts.Add(report.ControlCheck.Count == 0
            ? "Control check: nothing was sent, nothing to check."
            : report.ControlPassed
                ? "Control check: PASS, the provider echoed exactly the billed totals (" + string.Join(", ", report.ControlCheck.Select(c => ReportNumber.Display(c.EchoedTotal, c.ValueKind, c.Unit) + " " + c.Unit)) + ")."
                : "Control check: FAIL, the provider's echoed totals differ from the billed rows (see below).");
        return string.Join(" ", parts);
    }

    private static string Values(IEnumerable<ReportSubmission> submissions) =>
        string.Join(", ", submissions.GroupBy(s => (s.ValueKind, s.Unit)).OrderBy(g => g.Key.ValueKind, StringComparer.Ordinal)
            .Select(g => $"{ReportNumber.Display(g.Sum(s => s.Total), g.Key.ValueKind, g.Key.Unit)} {g.Key.Unit}"));

    private static string Why(string status) => SubmissionStatusText.TryParse(status) switch
    {
        SubmissionStatus.Void => "voided, never sent, rows back to pending and billed by the next run",
        SubmissionStatus.Released => "released after failed attempts, retried by the next run",
        SubmissionStatus.Held => "held for review (`usagebatch requeue`)",
        SubmissionStatus.Rejected => "rejected by the provider",
        _ => "with an unknown outcome, resolved by the next run",
    };

    public static string Count(int n, string noun) => n.ToString("N0", Inv) + " " + (n == 1 ? noun : noun + "s");
}
