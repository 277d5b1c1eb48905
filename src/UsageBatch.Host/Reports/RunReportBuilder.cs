using UsageBatch.Providers;
using System.Text.Json;
using UsageBatch.Billing;
using UsageBatch.Storage;

namespace UsageBatch.Reports;

/// <summary>
/// Builds a run's report from the ledger alone: the run record, the submissions the run created or touched, the
/// events it recorded and the row exceptions it wrote. Nothing depends on the clock or on later runs, so building it
/// again later gives an equal report (and byte-identical files).
/// </summary>
internal sealed class RunReportBuilder(IReportStore store, ReportDefaults defaults)
{
    /// <summary>Returns null when no such run exists.</summary>
    public async Task<RunReport?> BuildAsync(long runId, CancellationToken cancellationToken)
    {
        var run = await store.GetRunAsync(runId, cancellationToken);
        if (run is null)
        {
            return null;
        }

        var summary = ParseSummary(run.SummaryJson);
        var info = Info(run, summary);
        var events = await store.EventsOfRunAsync(runId, cancellationToken);
        var eventsBySubmission = events.GroupBy(e => e.SubmissionId).ToDictionary(g => g.Key, g => (IReadOnlyList<ReportEventRow>)g.ToList());
        var submissions = (await store.SubmissionsForReportAsync(runId, cancellationToken))
            .Select(s => Submission(runId, s.Submission, s.RowIds, eventsBySubmission.GetValueOrDefault(s.Submission.Id) ?? [], info.Currency))
            .ToList();
        var rowExceptions = await store.RowExceptionsOfRunAsync(runId, cancellationToken);
        var caps = ProviderRegistry.Find(info.Provider)?.Capabilities.LifetimeUsageCap == true
            ? await CapsAsync(info, submissions, cancellationToken)
            : [];

        var billed = submissions.Where(s => s.State is SubmissionStatus.Confirmed or SubmissionStatus.Zero).ToList();
        return new RunReport(
            RunReport.CurrentFormat,
            info,
            Totals(billed, _ => ("provider", info.Provider)),
            Totals(billed, s => (s.ItemField, s.ItemId)),
            Totals(billed, s => (s.CustomerField, s.CustomerId)),
            Control(submissions),
            submissions,
            ReportExceptions.From(submissions, rowExceptions),
            caps,
            summary?.Json,
            LateUsageLine.From(submissions),
            await SilentAsync(info, summary, cancellationToken));
    }

    private ReportRunInfo Info(ReportRunRow run, ParsedSummary? summary)
    {
        // A summary that records the cap limits also recorded the currency (null there means none was configured).
        var recorded = summary?.Summary.CapWarnAt is not null ? summary.Summary : null;
        return new(
            run.Id, run.Job, run.ProviderAccount, ProviderRegistry.For(ProviderRegistry.Table(run.UsageTable)).Type, run.UsageTable,
            run.Status, run.ExitCode, run.Message, run.DryRun, run.ScheduledAt, run.Cutoff, run.StartedAt, run.FinishedAt, run.Host,
            recorded is null ? defaults.Currency : recorded.Currency,
            recorded?.CapWarnAt ?? defaults.CapWarnAt,
            recorded?.UsageCap ?? defaults.UsageCap);
    }

    private static ReportSubmission Submission(long runId, LedgerSubmission s, string rowIds, IReadOnlyList<ReportEventRow> events, string? currency)
    {
        // The run's own view: the last status it recorded, and the provider's ids and echo from its own events.
        var statusEvent = events.LastOrDefault(e => StatusOf(e.Event) is not null);
        var status = statusEvent is null ? events.LastOrDefault()?.Event ?? SubmissionStatusText.ToText(s.Status) : StatusOf(statusEvent.Event)!;
        var withIds = events.LastOrDefault(e => e.ProviderUsageId is not null || e.EchoedTotal is not null);
        var target = s.Target;
        return new ReportSubmission(
            s.Id, status, statusEvent?.Detail, target.CustomerField, target.CustomerId, target.ItemField, target.ItemId, target.ValueField,
            ReportNumber.Unit(target.ValueField, currency), s.RowCount, ReportNumber.Shape(s.Total, target.ValueField),
            withIds?.EchoedTotal is { } echo ? ReportNumber.Shape(echo, target.ValueField) : null,
            s.BucketStart, s.UsageDate, s.UsageId, withIds?.ProviderUsageId, events.LastOrDefault(e => e.ProviderReceiptId is not null)?.ProviderReceiptId,
            statusEvent?.HttpStatus, statusEvent?.ProviderCode, rowIds, events.Select(e => new ReportEvent(e.At, e.Event, e.Detail)).ToList(),
            s.CreatedRunId != runId && events.Any(e => e.Event is "adopted" or "carried") ? s.CreatedRunId : null);
    }

    /// <summary>The state an event recorded, as its text ('voided' records void); null for events that are no state ('adopted', 'late').</summary>
    private static string? StatusOf(string eventName) => eventName == "voided"
        ? SubmissionStatusText.ToText(SubmissionStatus.Void)
        : SubmissionStatusText.TryParse(eventName) is SubmissionStatus.Preparing or null ? null : eventName;

    private static List<ReportTotal> Totals(List<ReportSubmission> billed, Func<ReportSubmission, (string Field, string Key)> key) =>
        billed.GroupBy(s => (Key: key(s), s.ValueKind, s.Unit))
            .Select(g => new ReportTotal(g.Key.Key.Field, g.Key.Key.Key, g.Key.ValueKind, g.Key.Unit, g.Count(), g.Sum(s => s.RowCount),
                ReportNumber.Shape(g.Sum(s => s.Total), g.Key.ValueKind)))
            .OrderBy(t => t.Field, StringComparer.Ordinal).ThenBy(t => t.Key, StringComparer.Ordinal).ThenBy(t => t.ValueKind, StringComparer.Ordinal)
            .ToList();

    private static List<ControlCheckLine> Control(List<ReportSubmission> submissions) =>
        submissions.Where(s => s.State == SubmissionStatus.Confirmed)
            .GroupBy(s => (s.ValueKind, s.Unit))
            .Select(g => new ControlCheckLine(g.Key.ValueKind, g.Key.Unit, g.Count(), g.Sum(s => s.RowCount),
                ReportNumber.Shape(g.Sum(s => s.Total), g.Key.ValueKind),
                ReportNumber.Shape(g.Sum(s => s.EchoedTotal ?? 0m), g.Key.ValueKind),
                g.Where(s => s.EchoedTotal != s.Total).Select(s => s.Id).ToList()))
            .OrderBy(c => c.ValueKind, StringComparer.Ordinal)
            .ToList();

    private async Task<List<CapLine>> CapsAsync(ReportRunInfo info, List<ReportSubmission> submissions, CancellationToken cancellationToken)
    {
        var subscriptions = submissions.Select(s => s.CustomerId).Distinct(StringComparer.Ordinal).ToList();
        var counts = await store.ConfirmedCountsAsync(info.ProviderAccount, subscriptions, info.RunId, cancellationToken);
        return counts.Where(c => c.Value >= info.CapWarnAt)
            .OrderBy(c => c.Key, StringComparer.Ordinal)
            .Select(c => new CapLine(c.Key, c.Value, info.CapWarnAt, info.UsageCap))
            .ToList();
    }

    /// <summary>Only for runs that recorded how far back to look (older runs render as they always did), and never for a dry run.</summary>
    private async Task<SilentCustomers?> SilentAsync(ReportRunInfo info, ParsedSummary? summary, CancellationToken cancellationToken)
    {
        if (info.DryRun || summary?.Summary.SilentCustomerRuns is not ({ } runs and > 0))
        {
            return null;
        }

        var silent = await store.SilentCustomersAsync(info.Job, info.RunId, runs, cancellationToken);
        return silent.Count == 0 ? null : new SilentCustomers(runs, silent.Select(c => new SilentCustomer(c.Field, c.Id)).ToList());
    }

    private static ParsedSummary? ParseSummary(string? json)
    {
        if (string.IsNullOrWhiteSpace(json))
        {
            return null;
        }

        using var document = JsonDocument.Parse(json);
        var summary = JsonSerializer.Deserialize<RunSummary>(json, RunSummaryJson.Options)!;
        return new ParsedSummary(summary, document.RootElement.Clone());
    }

    private sealed record ParsedSummary(RunSummary Summary, JsonElement Json);
}
