using UsageBatch.Billing;
using UsageBatch.OperatorConsole.Html;
using UsageBatch.OperatorConsole.Jobs;

namespace UsageBatch.OperatorConsole.Pages;

/// <summary>
/// The first page: what needs a person (held rows, rejected groups, jobs that stopped completing runs, runs that
/// aborted), then one line per job: schedule, next firing, last run, last success, row counts, health, run now.
/// </summary>
internal static class OverviewPage
{
    public static string Render(ConsoleContext context, IReadOnlyList<JobStatus> jobs, ConsolePage.Antiforgery token, string? notice, string? noticeTone)
    {
        var now = context.Time.GetUtcNow();
        var page = new ConsolePage("Overview", "overview", $"{context.Mode} · {context.Store.Dialect} · {Format.Utc(now)}");
        page.Heading(1, "Overview");
        if (notice is not null)
        {
            page.Notice(notice, noticeTone ?? "ok");
        }

        page.Heading(2, "Needs a person");
        var items = Attention(jobs).ToList();
        page.Raw("<ul class=\"attention\">\n");
        if (items.Count == 0)
        {
            page.Raw("<li class=\"ok\">").Text("Nothing needs a person: every enabled job completed a run within its window and no row is held or rejected.").Raw("</li>\n");
        }

        foreach (var (tone, text, href, linkText) in items)
        {
            page.Raw("<li class=\"").Attr(tone).Raw("\">").Text(text + " ");
            page.Link(linkText, href).Raw("</li>\n");
        }

        page.Raw("</ul>\n");

        page.Heading(2, "Jobs");
        page.Table(
            ["Job", "Schedule", "Next fire", "Last run", "Last success", "Pending", "Future-dated", "Held", "Rejected", "Oldest pending", "Newest usage", "Health"],
            jobs.Select(j => (IReadOnlyList<Cell>)
            [
                Cell.Of(p =>
                {
                    p.Link(j.Job.Name, "/runs?job=" + Uri.EscapeDataString(j.Job.Name));
                    RunNow(p, context, j.Job, token);
                }),
                new Cell(j.Job.Enabled ? j.CronInWords : "disabled").With($"{j.CronText} · {j.Job.TimeZone}"),
                j.NextFire is { } next ? new Cell(Format.InZone(next, j.Job.TimeZone), "nowrap").With($"in {Format.Age(next - now)}") : "-",
                j.LastRun is { } r
                    ? Cell.Of(p =>
                    {
                        p.Link("run " + r.Id.ToString(System.Globalization.CultureInfo.InvariantCulture), "/runs/" + r.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)).Text(" ");
                        p.Write(Cell.Badge(RunOutcomeText.ToText(r.Status), Summaries.Tone(r.Status)).With($"{Format.Age(now - r.StartedAt)} ago"));
                    })
                    : new Cell("no run yet", "muted"),
                j.LastSuccess is { } s ? new Cell(Format.Utc(s.FinishedAt ?? s.StartedAt), "nowrap").With($"{Format.Age(now - (s.FinishedAt ?? s.StartedAt))} ago") : new Cell("never", "muted"),
                Cell.Num(Format.Number(j.Counts.Pending)),
                Cell.Num(Format.Number(j.Counts.FutureDated)),
                Cell.Num(Format.Number(j.Counts.Held)),
                Cell.Num(Format.Number(j.Counts.Rejected)),
                new Cell(j.OldestPending is { } o ? Format.Age(now - o) : "none", "nowrap"),
                j.Job.ExpectUsageWithin is null ? new Cell("not checked", "muted")
                    : new Cell(j.NewestUsage is { } n ? Format.Age(now - n) + " ago" : "none", "nowrap").With($"expectUsageWithin {Format.Duration(j.Job.ExpectUsageWithin.Value)}"),
                !j.Job.Enabled ? Cell.Badge("disabled", "none") : j.Degraded ? Cell.Badge("degraded", "warn").With(string.Join("; ", j.Problems)) : Cell.Badge("healthy", "ok"),
            ]),
            cssClass: "jobs");
        page.Note("Pending: rows before the job's cutoff (now minus settleDelay) that the next run bills; future-dated rows wait for a later run. "
            + "Last success: the newest run that finished its work (outcome succeeded or attention). Health turns degraded when no run completed "
            + "within healthyWithin (default: the cron's interval plus 2 h), when a pending row is older than maxPendingAge, or when the usage "
            + "table's newest row is older than expectUsageWithin (silence upstream is not success); without expectUsageWithin a job that ran "
            + "and found no usage stays healthy.");
        return page.ToString();
    }

    private static void RunNow(ConsolePage page, ConsoleContext context, Configuration.JobOptions job, ConsolePage.Antiforgery token)
    {
        var disabled = context.Scheduler is null || !job.Enabled;
        page.PostButton("/jobs/" + Uri.EscapeDataString(job.Name) + "/run", "Run now", token, disabled: disabled,
            title: context.Scheduler is null
                ? "This console has no scheduler (usagebatch console): run `usagebatch run --job " + job.Name + "` or let your scheduler start it"
                : job.Enabled ? "Queue a run of " + job.Name + " on the scheduler now (never alongside a running one)" : "The job is disabled in jobs.json");
    }

    private static IEnumerable<(string Tone, string Text, string Href, string LinkText)> Attention(IReadOnlyList<JobStatus> jobs)
    {
        foreach (var j in jobs.Where(j => j.Job.Enabled && j.Degraded))
        {
            yield return ("fail", $"{j.Job.Name}: {string.Join("; ", j.Problems)}.", "/runs?job=" + Uri.EscapeDataString(j.Job.Name), "Its runs");
        }

        foreach (var j in jobs.Where(j => j.LastRun?.Status is RunOutcome.Aborted or RunOutcome.Dead))
        {
            yield return ("fail", $"{j.Job.Name}: the last run ({j.LastRun!.Id}) ended {RunOutcomeText.ToText(j.LastRun.Status)}: {j.LastRun.Message ?? "no message"}.",
                "/runs/" + j.LastRun.Id.ToString(System.Globalization.CultureInfo.InvariantCulture), "The run");
        }

        // Jobs sharing a usage table would repeat the same rows: say it once per table.
        foreach (var t in jobs.GroupBy(j => j.Table.Name).Select(g => g.First()))
        {
            if (t.Counts.Held > 0)
            {
                yield return ("warn", $"{Rows(t.Counts.Held)} held in {t.Table.Name}: not billed until checked and released with `usagebatch requeue`.", "/exceptions", "Exceptions");
            }

            if (t.Counts.Rejected > 0)
            {
                yield return ("warn", $"{Rows(t.Counts.Rejected)} rejected in {t.Table.Name}: fix them and set billing_status back to 'pending'.", "/exceptions", "Exceptions");
            }

            if (t.Counts.Claimed > 0 && jobs.Where(j => j.Table == t.Table).All(j => j.LastRun?.Status != RunOutcome.Running))
            {
                yield return ("warn", $"{Rows(t.Counts.Claimed)} claimed in {t.Table.Name} with no run running: the next run recovers them.", "/runs", "Runs");
            }
        }
    }

    private static string Rows(long count) => count == 1 ? "1 row" : $"{Format.Number(count)} rows";
}
