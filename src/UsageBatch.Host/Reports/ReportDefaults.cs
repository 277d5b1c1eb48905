namespace UsageBatch.Reports;

/// <summary>
/// Facts a run records in its summary (currency, cap limits) taken from the configuration instead, for runs whose
/// summary does not carry them (a run that died before finishing, or one written before they were recorded).
/// </summary>
internal sealed record ReportDefaults(string? Currency, int CapWarnAt = 4000, int UsageCap = 5000);
