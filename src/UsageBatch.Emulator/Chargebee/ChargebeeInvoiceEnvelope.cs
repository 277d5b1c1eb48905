namespace UsageBatch.Emulator.Chargebee;

/// <summary><c>{"invoice": {...}}</c>, the shape of every single-invoice answer and of each list entry.</summary>
internal sealed record ChargebeeInvoiceEnvelope(ChargebeeInvoice Invoice);
