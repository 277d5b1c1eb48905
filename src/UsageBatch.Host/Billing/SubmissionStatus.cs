using UsageBatch.Usage;

namespace UsageBatch.Billing;

/// <summary>
/// Ledger states. preparing → prepared → sent → confirmed | rejected | held | released; zero (net sum 0, billed
/// without a call); void (never sent, rows returned to pending). Rows follow the ledger when it is settled.
/// The text stored in ub_submission.status lives in <see cref="SubmissionStatusText"/> only.
/// </summary>
internal enum SubmissionStatus
{
    Preparing,
    Prepared,
    Sent,
    Confirmed,
    Zero,
    Rejected,
    Held,
    Released,
    Void,
}

/// <summary>
/// The one place a <see cref="SubmissionStatus"/> meets its stored text. The switches have no catch-all arm for
/// known values, so a new state that is not given its text here is a compiler warning (an error in this build).
/// </summary>
internal static class SubmissionStatusText
{
    public static string ToText(SubmissionStatus status) => status switch
    {
        SubmissionStatus.Preparing => "preparing",
        SubmissionStatus.Prepared => "prepared",
        SubmissionStatus.Sent => "sent",
        SubmissionStatus.Confirmed => "confirmed",
        SubmissionStatus.Zero => "zero",
        SubmissionStatus.Rejected => "rejected",
        SubmissionStatus.Held => "held",
        SubmissionStatus.Released => "released",
        SubmissionStatus.Void => "void",
    };

    /// <summary>The state a stored text names; text no state has (a hand edit, a newer version's state) is an error that says which.</summary>
    public static SubmissionStatus Parse(string text) =>
        TryParse(text) ?? throw new InvalidOperationException($"unknown submission status '{text}' in the ledger");

    /// <summary>The state a text names, or null when it names none (an event name such as 'adopted').</summary>
    public static SubmissionStatus? TryParse(string? text) => text switch
    {
        "preparing" => SubmissionStatus.Preparing,
        "prepared" => SubmissionStatus.Prepared,
        "sent" => SubmissionStatus.Sent,
        "confirmed" => SubmissionStatus.Confirmed,
        "zero" => SubmissionStatus.Zero,
        "rejected" => SubmissionStatus.Rejected,
        "held" => SubmissionStatus.Held,
        "released" => SubmissionStatus.Released,
        "void" => SubmissionStatus.Void,
        _ => null,
    };

    /// <summary>Not final: a run is claiming, about to send or sending it; its outcome is not known yet.</summary>
    public static bool IsInFlight(this SubmissionStatus status) => status is SubmissionStatus.Preparing or SubmissionStatus.Prepared or SubmissionStatus.Sent;

    /// <summary>The usage-row status a submission's rows take when it is settled.</summary>
    public static UsageRowStatus RowStatusFor(SubmissionStatus status) => status switch
    {
        SubmissionStatus.Confirmed or SubmissionStatus.Zero => UsageRowStatus.Billed,
        SubmissionStatus.Rejected => UsageRowStatus.Rejected,
        SubmissionStatus.Held => UsageRowStatus.Held,
        SubmissionStatus.Released or SubmissionStatus.Void => UsageRowStatus.Pending,
        SubmissionStatus.Preparing or SubmissionStatus.Prepared or SubmissionStatus.Sent =>
            throw new InvalidOperationException($"submission status '{ToText(status)}' is not final"),
    };
}
