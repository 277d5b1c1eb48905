using System.Data.Common;
using UsageBatch.Billing;
using UsageBatch.Providers;

namespace UsageBatch.Storage;

/// <summary>ub_submission as both dialects read it: one column list, one mapping to <see cref="LedgerSubmission"/>.</summary>
internal static class LedgerRows
{
    /// <summary>The ledger's columns, aliased s, in the order <see cref="Read"/> maps.</summary>
    public const string Columns = """
        s.id, s.created_run_id, s.owner_run_id, s.job, s.provider_account, s.usage_table, s.customer_field, s.customer_id,
        s.item_field, s.item_id, s.value_field, s.bucket_start, s.bucket_end, s.usage_date, s.usage_id, s.status, s.status_reason,
        s.row_count, s.total, s.attempts, s.first_sent_at, s.last_attempt_at, s.provider_usage_id, s.provider_receipt_id,
        s.echoed_total, s.settled_at, s.first_occurred_at, s.last_occurred_at
        """;

    public static LedgerSubmission Read(DbDataReader r) => new(
        r.Long(0), r.Long(1), r.Long(2), r.String(3), r.String(4), r.String(5),
        new SubmissionTarget(r.String(6), r.String(7), r.String(8), r.String(9), r.String(10)),
        r.TimeOrNull(11), r.TimeOrNull(12), r.TimeOrNull(13), r.TextOrNull(14),
        SubmissionStatusText.Parse(r.String(15)), r.TextOrNull(16), r.Int(17), r.Money(18), r.Int(19),
        r.TimeOrNull(20), r.TimeOrNull(21), r.TextOrNull(22), r.TextOrNull(23), r.MoneyOrNull(24), r.TimeOrNull(25))
    {
        FirstOccurredAt = r.TimeOrNull(26), LastOccurredAt = r.TimeOrNull(27),
    };

    /// <summary>A ledger row followed by one more column: the run that left it (the adoption's answer).</summary>
    public static LedgerSubmission ReadAdopted(DbDataReader r) => Read(r) with { AdoptedFrom = r.Long(28) };
}
