namespace UsageBatch.Emulator.Faults;

/// <summary>One injected fault, JSON as the README's emulator section shows it: it applies to the next <see cref="Count"/> matching provider requests.</summary>
internal sealed class Fault
{
    public string? Method { get; set; }

    public string? PathPrefix { get; set; }

    public string? PathRegex { get; set; }

    public int Count { get; set; } = 1;

    /// <summary><c>status</c>, <c>html</c>, <c>delay</c>, <c>drop-before-commit</c> or <c>drop-after-commit</c>.</summary>
    public string Action { get; set; } = "status";

    public int? Status { get; set; }

    public Dictionary<string, string>? Headers { get; set; }

    public string? Body { get; set; }

    public int DelayMs { get; set; }
}
