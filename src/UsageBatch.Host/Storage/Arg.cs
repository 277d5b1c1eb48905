using Dapper;

namespace UsageBatch.Storage;

/// <summary>
/// Argument values that say which column type they are for, where plain .NET types cannot: SQL Server compares a
/// varchar column with an nvarchar parameter by converting the column (no index seek), so ids for varchar columns
/// travel as ANSI strings of a fixed size. SQLite binds the text either way.
/// </summary>
internal static class Arg
{
    public static DbString Ansi(string? value, int length = 100) => new() { Value = value, IsAnsi = true, Length = Math.Max(length, value?.Length ?? 0) };

    public static DbString Text(string? value, int length) => new() { Value = value, IsAnsi = false, Length = Math.Max(length, value?.Length ?? 0) };

    /// <summary>varchar(max) (the ledger's row id ranges).</summary>
    public static DbString LongAnsi(string? value) => new() { Value = value, IsAnsi = true, Length = -1 };

    /// <summary>
    /// Diagnostic text from outside (a provider's error code, a long reason) cut to its column's length with a
    /// marker, so an unexpectedly long one never fails the statement that records an outcome.
    /// </summary>
    public static string? Bounded(string? value, int length) =>
        value is null || value.Length <= length ? value : value[..(length - 1)] + "…";

    /// <summary>provider_usage_id / provider_receipt_id: varchar(200) in the ledger, its events and both usage tables.</summary>
    public const int ProviderIdLength = 200;

    /// <summary>provider_code: nvarchar(200) in the ledger and its events.</summary>
    public const int ProviderCodeLength = 200;

    /// <summary>billing_error and reasons: nvarchar(4000); a longer reason is cut, never a truncation error that aborts the run.</summary>
    public const int ReasonLength = 4000;

    /// <summary>A lease or margin as whole milliseconds, for the database's clock arithmetic (DATEADD takes an int).</summary>
    public static int Milliseconds(TimeSpan span) =>
        span >= TimeSpan.Zero && span.TotalMilliseconds <= int.MaxValue
            ? (int)span.TotalMilliseconds
            : throw new ArgumentOutOfRangeException(nameof(span), span, "a lease must be between 0 and 24 days");

    public static string? Reason(string? reason) => reason is { Length: > ReasonLength } ? reason[..ReasonLength] : reason;
}
