using System.Globalization;
using UsageBatch.Billing;

namespace UsageBatch.Reports;

/// <summary>
/// The exceptions section: every submission the run rejected, held or released (with why and what to do), and
/// every row it rejected, held or released, with the reason it recorded.
/// </summary>
internal static class ReportExceptions
{
    public static IReadOnlyList<ReportException> From(IReadOnlyList<ReportSubmission> submissions, IReadOnlyList<ReportExceptionRow> rows)
    {
        var list = new List<ReportException>();
        foreach (var s in submissions.Where(s => s.State is SubmissionStatus.Rejected or SubmissionStatus.Held or SubmissionStatus.Released or SubmissionStatus.Void))
        {
            var at = s.Events.LastOrDefault(e => e.Event == s.Status || (s.State == SubmissionStatus.Void && e.Event == "voided"))?.At ?? s.Events.LastOrDefault()?.At ?? default;
            list.Add(new ReportException("submission", s.Status, "", null, null, s.Id, s.Reason ?? s.Status, ForSubmission(s), at));
        }

        foreach (var row in rows)
        {
            list.Add(new ReportException("row", row.Kind, row.UsageTable, row.RowId, row.SourceKey, row.SubmissionId, row.Reason, ForRow(row), row.At));
        }

        // Submission lines name their usage table from their rows when the run recorded any.
        return list.Select(e => e.Scope == "submission" ? e with { UsageTable = rows.FirstOrDefault(r => r.SubmissionId == e.SubmissionId)?.UsageTable ?? "" } : e)
            .ToList();
    }

    private static string ForSubmission(ReportSubmission s)
    {
        var id = s.Id.ToString(CultureInfo.InvariantCulture);
        return s.State switch
        {
            SubmissionStatus.Held when s.Events.Any(e => e.Event == TermGate.LateEvent) =>
                $"Nothing was billed ({Rows(s.RowCount)}): the invoice of their term is closed. `usagebatch requeue --submission {id} --into-current-term` re-dates the group into the current term and the next run sends it (see \"Late and inactive usage\").",
            SubmissionStatus.Held =>
                $"Nothing was billed for these {Rows(s.RowCount)}. Check them (and the provider), then run `usagebatch requeue --submission {id}`; it checks the provider before sending.",
            SubmissionStatus.Released =>
                $"Nothing was billed; the {Rows(s.RowCount)} {(s.RowCount == 1 ? "is" : "are")} pending again and the next run retries them (billing_attempts counts the tries).",
            SubmissionStatus.Void =>
                $"Nothing was billed and nothing was sent; the {Rows(s.RowCount)} {(s.RowCount == 1 ? "is" : "are")} pending again and billed by the next run. Nothing to do.",
            _ => "Nothing was billed. Fix the rows (or the provider's catalogue), then set their billing_status back to 'pending'.",
        };
    }

    private static string Rows(int count) => count == 1 ? "1 row" : count.ToString(CultureInfo.InvariantCulture) + " rows";

    private static string ForRow(ReportExceptionRow row) => row.Kind switch
    {
        "held" => $"Not billed now. `usagebatch requeue --table {row.UsageTable} --row {row.RowId.ToString(CultureInfo.InvariantCulture)}` checks the provider before releasing it.",
        "released" => "Pending again; the next run retries it.",
        _ => "Not billed. Fix the row, then set its billing_status back to 'pending'.",
    };
}
