using System.Globalization;
using UsageBatch.Billing;

namespace UsageBatch.Reports;

/// <summary>
/// One submission whose usage date the run found outside what the provider will still invoice (late: its term's
/// invoice is closed; inactive: the subscription was not active then), or in an ended term whose invoice is still
/// pending: what the provider said, what the run did, and the way out.
/// </summary>
internal sealed record LateUsageLine(long SubmissionId, string Standing, string CustomerId, string ItemId, DateTimeOffset? UsageDate, string Status, string Detail, string WayOut)
{
    /// <summary>The lines of a run, from the events it recorded (none for a run before the check existed, or without findings).</summary>
    public static IReadOnlyList<LateUsageLine>? From(IReadOnlyList<ReportSubmission> submissions)
    {
        var lines = new List<LateUsageLine>();
        foreach (var s in submissions)
        {
            var finding = s.Events.LastOrDefault(e => e.Event is TermGate.LateEvent or TermGate.InactiveEvent or TermGate.PendingInvoiceEvent);
            if (finding is null)
            {
                continue;
            }

            var redated = s.Events.Any(e => e.Event == TermGate.RedatedEvent);
            var sentLate = s.Events.Any(e => e.Event == TermGate.SentLateEvent);
            var standing = finding.Event switch
            {
                TermGate.LateEvent => redated ? "late, re-dated into the current term" : sentLate ? "late, sent as dated" : "late",
                TermGate.InactiveEvent => "inactive",
                _ => "on a pending invoice",
            };
            lines.Add(new LateUsageLine(s.Id, standing, s.CustomerId, s.ItemId, s.UsageDate, s.Status, finding.Detail ?? "", WayOutOf(s, finding.Event, redated, sentLate)));
        }

        return lines.Count == 0 ? null : lines;
    }

    private static string WayOutOf(ReportSubmission s, string finding, bool redated, bool sentLate)
    {
        var id = s.Id.ToString(CultureInfo.InvariantCulture);
        return (finding, s.State) switch
        {
            (TermGate.LateEvent, SubmissionStatus.Held) =>
                $"`usagebatch requeue --submission {id} --into-current-term` re-dates it into the current term and the next run sends it; or regenerate that invoice at the provider, then `usagebatch requeue --submission {id}`.",
            (TermGate.LateEvent, _) when redated => "Billed in the current term instead; nothing to do.",
            (TermGate.LateEvent, _) when sentLate =>
                "The provider stores it but will not invoice it (lateUsage: send): regenerate that invoice at the provider, or bill it another way.",
            (TermGate.InactiveEvent, _) =>
                $"Check the subscription and the rows (the provider would never bill this date); fix them, then `usagebatch requeue --submission {id}`.",
            (TermGate.PendingInvoiceEvent, _) => "Lands on that invoice while it is pending; `usagebatch reconcile` writes the invoice id onto the rows once it closes. Nothing to do.",
            _ => "",
        };
    }
}
