using System.Text.Json;
using UsageBatch.Billing;
using UsageBatch.Usage;

namespace UsageBatch.Tests.Billing;

/// <summary>
/// Each state enum meets its stored text in one mapping. The text is what the database, the reports and the CLI
/// hold, so it must never drift: these pin it, and show that text no state has is an error naming it.
/// </summary>
public sealed class StateTextTests
{
    [Fact]
    public void SubmissionStatus_EveryStateHasItsStoredText_AndParsesBack()
    {
        var texts = Enum.GetValues<SubmissionStatus>().Select(SubmissionStatusText.ToText).ToList();
        Assert.Equal(["preparing", "prepared", "sent", "confirmed", "zero", "rejected", "held", "released", "void"], texts);
        Assert.All(Enum.GetValues<SubmissionStatus>(), s => Assert.Equal(s, SubmissionStatusText.Parse(SubmissionStatusText.ToText(s))));
    }

    [Fact]
    public void SubmissionStatus_UnknownText_IsAnErrorThatNamesIt()
    {
        var error = Assert.Throws<InvalidOperationException>(() => SubmissionStatusText.Parse("Confirmed"));
        Assert.Contains("'Confirmed'", error.Message, StringComparison.Ordinal);
        Assert.Null(SubmissionStatusText.TryParse("adopted"));
    }

    [Fact]
    public void SubmissionStatus_RowsFollowOnlyFinalStates()
    {
        Assert.Equal(UsageRowStatus.Billed, SubmissionStatusText.RowStatusFor(SubmissionStatus.Zero));
        Assert.Equal(UsageRowStatus.Pending, SubmissionStatusText.RowStatusFor(SubmissionStatus.Void));
        Assert.Throws<InvalidOperationException>(() => SubmissionStatusText.RowStatusFor(SubmissionStatus.Sent));
        Assert.True(SubmissionStatus.Sent.IsInFlight());
        Assert.False(SubmissionStatus.Held.IsInFlight());
    }

    [Fact]
    public void RunOutcome_EveryOutcomeHasItsStoredText_AndTheSummaryJsonWritesIt()
    {
        Assert.Equal(["running", "succeeded", "attention", "aborted", "dead", "skipped", "dry-run"], Enum.GetValues<RunOutcome>().Select(RunOutcomeText.ToText));
        Assert.All(Enum.GetValues<RunOutcome>(), o => Assert.Equal(o, RunOutcomeText.Parse(RunOutcomeText.ToText(o))));

        var json = JsonSerializer.Serialize(new RunSummary { Outcome = RunOutcome.DryRun }, RunSummaryJson.Options);
        Assert.Contains("\"outcome\": \"dry-run\"", json, StringComparison.Ordinal);
        Assert.Equal(RunOutcome.DryRun, JsonSerializer.Deserialize<RunSummary>(json, RunSummaryJson.Options)!.Outcome);
        Assert.Throws<JsonException>(() => JsonSerializer.Deserialize<RunSummary>("""{"outcome":"Succeeded"}""", RunSummaryJson.Options));
    }

    [Fact]
    public void UsageRowStatus_EveryStateHasItsStoredText()
    {
        Assert.Equal(["pending", "claimed", "billed", "rejected", "held"], Enum.GetValues<UsageRowStatus>().Select(UsageRowStatusText.ToText));
    }
}
