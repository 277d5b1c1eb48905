using System.Globalization;
using Quartz;
using UsageBatch.Hosting;
using UsageBatch.OperatorConsole.Html;
using UsageBatch.OperatorConsole.Jobs;

namespace UsageBatch.OperatorConsole.Pages;

/// <summary>The scheduler: its state, every trigger with its last and next firing, what runs now, and misfires since start.</summary>
internal static class SchedulerPage
{
    public static async Task<string> RenderAsync(ConsoleContext context, MisfireRecorder misfires, CancellationToken cancellationToken)
    {
        var now = context.Time.GetUtcNow();
        var page = new ConsolePage("Scheduler", "scheduler", $"{context.Mode} · {context.Store.Dialect} · {Format.Utc(now)}");
        page.Heading(1, "Scheduler");
        if (context.Scheduler is null)
        {
            page.Notice("No scheduler runs in this process: `usagebatch console` serves these pages only. Runs come from `serve` elsewhere, SQL Agent, cron or Task Scheduler (`usagebatch run`).", "warn");
            page.Heading(2, "Next firings by the cron alone");
            page.Table(["Job", "Cron", "Time zone", "Misfire policy", "Next fire"],
                context.Options.Jobs.Select(j => (IReadOnlyList<Cell>)
                [
                    j.Name, Cell.Code(j.Cron), j.TimeZone, j.Misfire,
                    j.Enabled && JobSchedule.NextFireTime(j, now) is { } next ? $"{Format.InZone(next, j.TimeZone)} ({Format.Utc(next)})" : "disabled",
                ]));
            return page.ToString();
        }

        var scheduler = await context.Scheduler.GetScheduler(cancellationToken);
        var meta = await scheduler.GetMetadata(cancellationToken);
        page.Facts(
        [
            ("State", Cell.Badge(meta.Status.ToString().ToLowerInvariant(), meta.Status == SchedulerStatus.Running ? "ok" : "warn")),
            ("Name / this node", $"{meta.SchedulerName} / {meta.SchedulerInstanceId}"),
            ("Running since", meta.RunningSince is { } since ? $"{Format.Utc(since)} ({Format.Age(now - since)})" : "-"),
            ("Job store", $"{meta.JobStoreTypeName}{(meta.JobStorePersistent ? ", persistent" : ", in memory")}{(meta.JobStoreClustered ? ", clustered" : "")}"),
            ("Firings executed since start", meta.JobsExecuted.ToString(CultureInfo.InvariantCulture)),
            ("Misfire threshold", Format.Duration(context.Options.Scheduler.MisfireThreshold)),
        ]);

        page.Heading(2, "Triggers");
        var triggers = (await scheduler.QueryTriggers(new TriggerQuery { Take = PagedQuery.All }, cancellationToken)).Items;
        page.Table(["Job", "Trigger", "State", "Schedule", "Previous fire", "Next fire"],
            triggers.Select(t => (IReadOnlyList<Cell>)
            [
                t.JobKey.Name, Cell.Code(t.Key.Name), Cell.Badge(t.State.ToString().ToLowerInvariant(), t.State.ToString() is "Normal" or "Waiting" or "Blocked" or "Executing" ? "ok" : "warn"),
                Cell.Code(t.Description ?? t.TriggerType.ToString()),
                new Cell(Format.Utc(t.PreviousFireTimeUtc), "nowrap"),
                new Cell(t.NextFireTimeUtc is { } next ? NextInZone(context, t.JobKey.Name, next) : "-", "nowrap"),
            ]));

        page.Heading(2, "Running now");
        var firings = (await scheduler.QueryFireInstances(new FireInstanceQuery { Take = PagedQuery.All }, cancellationToken)).Items;
        if (firings.Count == 0)
        {
            page.Note(meta.JobStoreClustered ? "Nothing is running on any node." : "Nothing is running.");
        }
        else
        {
            page.Table(["Job", "State", "Node", "Fired at", "Scheduled for", "Running for"],
                firings.Select(f => (IReadOnlyList<Cell>)
                [
                    f.JobKey?.Name ?? "-", Cell.Badge(f.State.ToString().ToLowerInvariant(), "info"), Cell.Code(f.SchedulerInstanceId), Format.Utc(f.FireTimeUtc),
                    Format.Utc(f.ScheduledFireTimeUtc), Format.Age(now - f.FireTimeUtc),
                ]));
        }

        if (meta.JobStoreClustered)
        {
            page.Heading(2, "Cluster nodes");
            var nodes = await scheduler.QueryClusterNodes(cancellationToken);
            page.Table(["Node", "State", "Last check-in", "Check-in interval"],
                nodes.Select(n => (IReadOnlyList<Cell>)
                [
                    Cell.Code(n.InstanceId + (n.IsCurrentNode ? " (this node)" : "")),
                    Cell.Badge(n.State.ToString().ToLowerInvariant(), n.State == ClusterNodeState.Alive ? "ok" : "fail"),
                    Format.Utc(n.LastCheckInUtc), n.CheckInInterval is { } i ? Format.Duration(i) : "-",
                ]));
            page.Note("Each firing runs on one node; \"Running now\" names the node, and every run's page names the host that ran it.");
        }

        page.Heading(2, "Misfires since this process started");
        var recent = misfires.Recent;
        if (recent.Count == 0)
        {
            page.Note("None. A firing missed while the host was down is caught up once (catchUpOnce) or dropped (skip), per the job's misfire policy.");
        }
        else
        {
            page.Table(["Noticed at", "Job", "Next fire after the misfire"],
                recent.Select(m => (IReadOnlyList<Cell>)[Format.Utc(m.NoticedAt), m.Job, Format.Utc(m.ScheduledFor)]));
        }

        return page.ToString();
    }

    private static string NextInZone(ConsoleContext context, string jobName, DateTimeOffset next) =>
        context.Options.Jobs.FirstOrDefault(j => j.Name == jobName) is { } job ? $"{Format.InZone(next, job.TimeZone)} ({Format.Utc(next)})" : Format.Utc(next);
}
