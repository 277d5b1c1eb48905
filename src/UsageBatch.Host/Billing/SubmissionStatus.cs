namespace UsageBatch.Billing;

/// <summary>
/// Ledger states. preparing → prepared → sent → confirmed | rejected | held | released; zero (net sum 0, billed
/// without a call); void (never sent, rows returned to pending). Rows follow the ledger when it is settled.
/// </summary>
internal static class SubmissionStatus
{
    public const string Preparing = "preparing";
    public const string Prepared = "prepared";
    public const string Sent = "sent";
    public const string Confirmed = "confirmed";
    public const string Zero = "zero";
    public const string Rejected = "rejected";
    public const string Held = "held";
    public const string Released = "released";
    public const string Void = "void";

    /// <summary>Not final: a run is claiming, about to send or sending it; its outcome is not known yet.</summary>
    public static bool IsInFlight(string status) => status is Preparing or Prepared or Sent;

    /// <summary>The usage-row status a submission's rows take when it is settled.</summary>
    public static string RowStatusFor(string submissionStatus) => submissionStatus switch
    {
        Confirmed or Zero => "billed",
        Rejected => "rejected",
        Held => "held",
        Released or Void => "pending",
        _ => throw new InvalidOperationException($"submission status '{submissionStatus}' is not final"),
    };
}
