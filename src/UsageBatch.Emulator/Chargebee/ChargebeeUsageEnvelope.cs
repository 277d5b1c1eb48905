namespace UsageBatch.Emulator.Chargebee;

/// <summary><c>{"usage": {...}}</c>, the shape of every single-usage answer and of each list entry.</summary>
internal sealed record ChargebeeUsageEnvelope(ChargebeeUsage Usage);
