using System.Text.Json;
using UsageBatch.Billing;

namespace UsageBatch.OperatorConsole.Pages;

/// <summary>Reads a run's summary_json back (null for a run that never finished, or a summary this build cannot read).</summary>
internal static class Summaries
{
    public static RunSummary? Parse(string? json)
    {
        if (string.IsNullOrWhiteSpace(json))
        {
            return null;
        }

        try
        {
            return JsonSerializer.Deserialize<RunSummary>(json, RunSummaryJson.Options);
        }
        catch (JsonException)
        {
            // Shown as "-": the run page still renders the ledger's facts, which do not depend on the summary.
            return null;
        }
    }

    /// <summary>The badge colour of an outcome (null: a text no outcome has, shown as a failure).</summary>
    public static string Tone(RunOutcome? outcome) => outcome switch
    {
        RunOutcome.Succeeded => "ok",
        RunOutcome.Attention => "warn",
        RunOutcome.Running => "info",
        RunOutcome.Aborted or RunOutcome.Dead or RunOutcome.Skipped or RunOutcome.DryRun or null => "fail",
    };
}
