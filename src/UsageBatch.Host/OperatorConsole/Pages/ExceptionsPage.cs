using System.Globalization;
using UsageBatch.OperatorConsole.Html;
using UsageBatch.Storage;

namespace UsageBatch.OperatorConsole.Pages;

/// <summary>
/// Every row that is held or rejected now, grouped by the submission it belongs to, with the reason and the exact
/// command (held) or statement (rejected) that moves it on.
/// </summary>
internal static class ExceptionsPage
{
    public const int Limit = 200;

    public sealed record TableExceptions(UsageTable Table, RowCounts Counts, IReadOnlyList<ConsoleExceptionGroup> Groups, IReadOnlyList<ConsoleExceptionRow> Rows);

    public static string Render(ConsoleContext context, IReadOnlyList<TableExceptions> tables)
    {
        var page = new ConsolePage("Exceptions", "exceptions", $"{context.Mode} · {context.Store.Dialect} · {Format.Utc(context.Time.GetUtcNow())}");
        page.Heading(1, "Exceptions");
        page.Note("Held rows are not billed until `usagebatch requeue` has checked the provider and released them. Rejected rows are never billed as they are: "
            + "fix the row (or the provider's catalogue), then set billing_status back to 'pending' and the next run takes it.");
        foreach (var t in tables)
        {
            page.Heading(2, $"{t.Table.Name}: {Format.Number(t.Counts.Held)} held, {Format.Number(t.Counts.Rejected)} rejected");
            if (t.Counts.Held + t.Counts.Rejected == 0)
            {
                page.Note("Nothing held or rejected.");
                continue;
            }

            if (t.Groups.Count > 0)
            {
                page.Heading(3, "Submissions (whole groups)");
                page.Table(["Submission", "Status", "Rows", "Customer", "Item", "Reason", "Last run", "What to do"],
                    t.Groups.Select(g => (IReadOnlyList<Cell>)
                    [
                        Cell.Num(g.SubmissionId), Cell.Badge(g.RowStatus, g.RowStatus == "held" ? "warn" : "fail"), Cell.Num(g.Rows),
                        Cell.Code(g.Customer), Cell.Code(g.Item), g.Reason, RunLink(g.RunId), Cell.Code(GroupCommand(t.Table, g)),
                    ]));
            }

            if (t.Rows.Count > 0)
            {
                page.Heading(3, "Rows");
                page.Table(["Row", "Source key", "Status", "Customer", "Item", "Occurred at", "Note", "Reason", "Last run", "What to do"],
                    t.Rows.Select(r => (IReadOnlyList<Cell>)
                    [
                        Cell.Num(r.RowId), Cell.Code(r.SourceKey), Cell.Badge(r.Status, r.Status == "held" ? "warn" : "fail"), Cell.Code(r.Customer),
                        Cell.Code(r.Item), new Cell(r.OccurredAt, "nowrap"), r.Note, r.Reason, RunLink(r.RunId), Cell.Code(RowCommand(t.Table, r)),
                    ]));
            }

            var shown = t.Groups.Sum(g => g.Rows) + t.Rows.Count;
            if (shown < t.Counts.Held + t.Counts.Rejected)
            {
                page.Note($"Showing the newest {Limit} groups and {Limit} rows; {Format.Number(t.Counts.Held + t.Counts.Rejected - shown)} more rows are held or rejected.");
            }
        }

        return page.ToString();
    }

    private static Cell RunLink(long? runId) =>
        runId is { } id ? Cell.Link(id.ToString(CultureInfo.InvariantCulture), "/runs/" + id.ToString(CultureInfo.InvariantCulture)) : "-";

    public static string GroupCommand(UsageTable table, ConsoleExceptionGroup g) => g.RowStatus == "held"
        ? $"usagebatch requeue --submission {g.SubmissionId.ToString(CultureInfo.InvariantCulture)}"
          + (g.Reason?.StartsWith(Billing.TermGate.LateReasonPrefix, StringComparison.Ordinal) == true ? " --into-current-term" : "")
        : $"UPDATE {table.Name} SET billing_status = 'pending' WHERE billing_submission_id = {g.SubmissionId.ToString(CultureInfo.InvariantCulture)} AND billing_status = 'rejected';";

    public static string RowCommand(UsageTable table, ConsoleExceptionRow r) => r.Status == "held"
        ? $"usagebatch requeue --table {table.Name} --row {r.RowId.ToString(CultureInfo.InvariantCulture)}"
        : $"UPDATE {table.Name} SET billing_status = 'pending' WHERE id = {r.RowId.ToString(CultureInfo.InvariantCulture)};";
}
