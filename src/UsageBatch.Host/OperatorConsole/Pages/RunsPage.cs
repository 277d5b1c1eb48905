using System.Globalization;
using UsageBatch.Billing;
using UsageBatch.OperatorConsole.Html;
using UsageBatch.Storage;

namespace UsageBatch.OperatorConsole.Pages;

/// <summary>Every run, newest first, a page at a time, filtered by job and outcome.</summary>
internal static class RunsPage
{
    public const int PageSize = 50;

    /// <summary>The outcomes the filter offers, as their stored text.</summary>
    public static readonly string[] Outcomes =
        [.. new[] { RunOutcome.Running, RunOutcome.Succeeded, RunOutcome.Attention, RunOutcome.Aborted, RunOutcome.Dead }.Select(RunOutcomeText.ToText)];

    public static string Render(ConsoleContext context, IReadOnlyList<ConsoleRun> runs, long total, string? job, string? outcome, int pageNumber)
    {
        var page = new ConsolePage("Runs", "runs", $"{context.Mode} · {context.Store.Dialect} · {Format.Utc(context.Time.GetUtcNow())}");
        page.Heading(1, "Runs");
        page.Raw("<form method=\"get\" action=\"/runs\" class=\"filters\">");
        Select(page, "Job", "job", context.Options.Jobs.Select(j => j.Name), job);
        Select(page, "Outcome", "outcome", Outcomes, outcome);
        page.Raw("<button type=\"submit\">Filter</button></form>\n");

        var pages = Math.Max(1, (int)((total + PageSize - 1) / PageSize));
        if (runs.Count == 0)
        {
            page.Note(total == 0 ? "No run matches." : "No runs on this page.");
        }
        else
        {
            page.Table(["Run", "Job", "Outcome", "Exit", "Started", "Duration", "Rows billed", "Rows rejected", "Rows held", "Submissions", "Provider requests", "Message"],
                runs.Select(r => Row(r)));
        }

        page.Raw("<div class=\"pager\">");
        if (pageNumber > 1)
        {
            page.Link("← Newer", Href(job, outcome, pageNumber - 1));
        }

        page.Text(string.Create(CultureInfo.InvariantCulture, $"Page {pageNumber} of {pages} · {Format.Number(total)} runs"));
        if (pageNumber < pages)
        {
            page.Link("Older →", Href(job, outcome, pageNumber + 1));
        }

        page.Raw("</div>\n");
        page.Note("Runs skipped because the job was already running elsewhere end as aborted with exit 4 and leave no report files.");
        return page.ToString();
    }

    private static IReadOnlyList<Cell> Row(ConsoleRun r)
    {
        var s = Summaries.Parse(r.SummaryJson);
        var id = r.Id.ToString(CultureInfo.InvariantCulture);
        return
        [
            Cell.Link(id, "/runs/" + id), r.Job, Cell.Badge(RunOutcomeText.ToText(r.Status), Summaries.Tone(r.Status)),
            Cell.Num(r.ExitCode?.ToString(CultureInfo.InvariantCulture) ?? "-"),
            new Cell(Format.Utc(r.StartedAt), "nowrap"),
            Cell.Num(r.FinishedAt is { } f ? Format.Duration(f - r.StartedAt) : "-"),
            Cell.Num(s is null ? "-" : Format.Number(s.RowsBilled)),
            Cell.Num(s is null ? "-" : Format.Number(s.RowsRejectedByValidation + s.RowsRejected)),
            Cell.Num(s is null ? "-" : Format.Number(s.RowsHeldRequeued + s.RowsHeld)),
            Cell.Num(s is null ? "-" : Format.Number(s.Groups + s.Recovered)),
            Cell.Num(s is null ? "-" : Format.Number(s.ProviderRequests.Requests)),
            new Cell(r.Message, "muted"),
        ];
    }

    public static string Href(string? job, string? outcome, int pageNumber)
    {
        var query = new List<string>();
        if (job is not null)
        {
            query.Add("job=" + Uri.EscapeDataString(job));
        }

        if (outcome is not null)
        {
            query.Add("outcome=" + Uri.EscapeDataString(outcome));
        }

        query.Add("page=" + pageNumber.ToString(CultureInfo.InvariantCulture));
        return "/runs?" + string.Join("&", query);
    }

    private static void Select(ConsolePage page, string label, string name, IEnumerable<string> values, string? selected)
    {
        page.Raw("<label>").Text(label).Raw("<select name=\"").Attr(name).Raw("\"><option value=\"\">all</option>");
        foreach (var value in values)
        {
            page.Raw("<option value=\"").Attr(value).Raw(value == selected ? "\" selected>" : "\">").Text(value).Raw("</option>");
        }

        page.Raw("</select></label>");
    }
}
