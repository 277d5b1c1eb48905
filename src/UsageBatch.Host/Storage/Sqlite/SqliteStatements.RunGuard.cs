namespace UsageBatch.Storage.Sqlite;

/// <summary>The run guard's statements (a lease row per job in ub_job_lock).</summary>
internal static partial class SqliteStatements
{
    // The run guard: a lease row. Taken when it is free or its holder's lease ran out (a killed run must not lock
    // the job forever), or re-taken by its own run. Leases are on the database's clock (ub_now(), see SqliteDatabase).
    internal const string TakeJobLockSql = """
        INSERT INTO ub_job_lock (job, run_id, lease_until) VALUES (@Job, @RunId, ub_now_plus_ms(@LeaseMs))
        ON CONFLICT (job) DO UPDATE SET run_id = excluded.run_id, lease_until = excluded.lease_until
        WHERE ub_job_lock.lease_until < ub_now() OR ub_job_lock.run_id = excluded.run_id
        """;

    internal const string JobLockHolderSql = "SELECT run_id FROM ub_job_lock WHERE job = @Job AND lease_until >= ub_now()";

    internal const string ReleaseJobLockSql = "DELETE FROM ub_job_lock WHERE job = @Job AND run_id = @RunId";

    internal const string RenewJobLockSql = "UPDATE ub_job_lock SET lease_until = ub_now_plus_ms(@LeaseMs) WHERE job = @Job AND run_id = @RunId";
}
