namespace UsageBatch.Storage.SqlServer;

/// <summary>
/// How many rows one statement may change without SQL Server escalating to a table lock, which would block every
/// other reader and writer of the usage table (DBAs' inserts included) until the commit.
/// <para>
/// Escalation is triggered when one statement holds 5,000 locks on a single reference to one table or index
/// (3,000 on one index plus 3,000 on another do not escalate). The busiest index is what counts: the claim and the
/// release move <c>billing_submission_id</c>, the key of <c>ix_*_submission</c>, so each row takes two key locks
/// there (the old key out, the new key in), while the clustered key and the filtered pending index take one each.
/// 2,000 rows are therefore 4,000 key locks on that index, and the last fifth of the threshold is left for the
/// page intent locks that come with them. The assumption, unproven without a server: the threshold counts the
/// statement's key locks on one index and the 1,000 left cover its page intent locks; a claim scattered over more
/// than 1,000 pages of ix_*_submission would pass 5,000 if they count in full. The README names the server check
/// (sys.dm_db_index_operational_stats.index_lock_promotion_count, the lock_escalation event). The statement-gate tests recompute the locks per row from the schema
/// scripts' indexes and every UPDATE of a usage table, so a new index or a new SET column cannot silently break this.
/// </para>
/// </summary>
internal static class SqlServerLocking
{
    public const int EscalationThreshold = 5000;

    /// <summary>Most key locks one changed row takes on any single index of a usage table (see the summary).</summary>
    public const int MaxKeyLocksPerRowOnOneIndex = 2;

    /// <summary>Key locks one statement may take on one index: four fifths of the threshold.</summary>
    public const int KeyLockBudget = EscalationThreshold / 5 * 4;

    /// <summary>The most rows any statement of the store changes in a usage table (and the most a job's batchSize may ask for).</summary>
    public const int MaxRowsPerStatement = KeyLockBudget / MaxKeyLocksPerRowOnOneIndex;

    public static int RowsPerStatement(int batchSize) => Math.Clamp(batchSize, 1, MaxRowsPerStatement);
}
