using System.Text.Json;
using System.Text.Json.Serialization;

namespace UsageBatch.Billing;

/// <summary>
/// How a run ended (ub_run.status and the summary's outcome): running until it finishes; succeeded, attention
/// (exit 1) or aborted; dead when another run recovered its work; skipped when the job was already running;
/// dry-run for a preview, which records no run. The text lives in <see cref="RunOutcomeText"/> only.
/// </summary>
internal enum RunOutcome
{
    Running,
    Succeeded,
    Attention,
    Aborted,
    Dead,
    Skipped,
    DryRun,
}

/// <summary>The one place a <see cref="RunOutcome"/> meets its stored text (an exhaustive switch: a new outcome without text does not build).</summary>
internal static class RunOutcomeText
{
    public static string ToText(RunOutcome outcome) => outcome switch
    {
        RunOutcome.Running => "running",
        RunOutcome.Succeeded => "succeeded",
        RunOutcome.Attention => "attention",
        RunOutcome.Aborted => "aborted",
        RunOutcome.Dead => "dead",
        RunOutcome.Skipped => "skipped",
        RunOutcome.DryRun => "dry-run",
    };

    /// <summary>The outcome a stored text names; text no outcome has is an error that says which.</summary>
    public static RunOutcome Parse(string text) =>
        TryParse(text) ?? throw new InvalidOperationException($"unknown run status '{text}'");

    public static RunOutcome? TryParse(string? text) => text switch
    {
        "running" => RunOutcome.Running,
        "succeeded" => RunOutcome.Succeeded,
        "attention" => RunOutcome.Attention,
        "aborted" => RunOutcome.Aborted,
        "dead" => RunOutcome.Dead,
        "skipped" => RunOutcome.Skipped,
        "dry-run" => RunOutcome.DryRun,
        _ => null,
    };

    /// <summary>The summary JSON (ub_run.summary_json) writes and reads the text, never the enum's name or number.</summary>
    internal sealed class JsonConverter : JsonConverter<RunOutcome>
    {
        public override RunOutcome Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
            TryParse(reader.GetString()) ?? throw new JsonException($"unknown run outcome '{reader.GetString()}'");

        public override void Write(Utf8JsonWriter writer, RunOutcome value, JsonSerializerOptions options) => writer.WriteStringValue(ToText(value));
    }
}
