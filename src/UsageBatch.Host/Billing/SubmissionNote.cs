using System.Globalization;
using UsageBatch.Usage;

namespace UsageBatch.Billing;

/// <summary>
/// The trace sent with a usage so a provider admin can find its source. Built from the ledger row alone: a recovery
/// re-POST must be byte-identical, or Chargebee's idempotency check sees "same key, different parameters". So it names
/// the run that prepared the submission (not the one sending it), and a usage re-dated past its rows (late usage moved
/// into the current term) names the dates its rows carry.
/// </summary>
internal static class SubmissionNote
{
    public static string For(LedgerSubmission submission)
    {
        var note = string.Create(CultureInfo.InvariantCulture, $"usagebatch job={submission.Job} run={submission.CreatedRunId} submission={submission.Id} rows={submission.RowCount}");
        // A usage date is chosen at or before the rows' last second (stepped back past clashes): one after it was
        // moved forward into a later term.
        return submission is { UsageDate: { } date, FirstOccurredAt: { } first, LastOccurredAt: { } last } && date > UtcText.WholeSeconds(last).AddSeconds(1)
            ? note + $" re-dated; rows dated {UtcText.Format(first)} to {UtcText.Format(last)}"
            : note;
    }
}
