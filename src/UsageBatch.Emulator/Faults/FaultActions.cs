namespace UsageBatch.Emulator.Faults;

internal static class FaultActions
{
    public const string Status = "status";
    public const string Html = "html";
    public const string Delay = "delay";
    public const string DropBeforeCommit = "drop-before-commit";
    public const string DropAfterCommit = "drop-after-commit";

    public static readonly IReadOnlyList<string> All = [Status, Html, Delay, DropBeforeCommit, DropAfterCommit];
}
