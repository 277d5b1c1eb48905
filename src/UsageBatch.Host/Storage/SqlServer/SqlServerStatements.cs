namespace UsageBatch.Storage.SqlServer;

/// <summary>
/// The SQL Server dialect's statements: constant templates in which <c>$(Schema)</c> and <c>$(UsageTable)</c> are the
/// only placeholders (the schema is checked as a plain identifier; the usage table is one of the two fixed names)
/// and <c>$(SubmissionColumns)</c> the ledger's column list. Every value travels as a parameter. The statement gate
/// parses each one and resolves it against the model of sql/sqlserver.
/// <para>
/// The hints, once: ROWLOCK takes row locks only, never page locks that would block a neighbour's rows.
/// READCOMMITTEDLOCK reads with locks even when the database has READ_COMMITTED_SNAPSHOT on (Azure SQL's
/// default): a versioned read could see a row as still pending after another run claimed it, and a versioned
/// read refuses or ignores READPAST. READPAST skips rows another run has locked (it is claiming them) instead of
/// queueing behind them. Statements that move usage rows take at most @BatchSize of them, sized by
/// <see cref="SqlServerLocking"/> to stay under lock escalation.
/// </para>
/// </summary>
internal static partial class SqlServerStatements
{
    private const string SubmissionColumns = LedgerRows.Columns;

    // A pending row may be claimed only when its previous submission, if any, is final and unbilled (void, released,
    // rejected): a row a DBA set back to 'pending' under a live or billed submission is never billed again; the hold
    // step holds it instead. Most rows have no submission, so the seek on the ledger's key is skipped for them. A
    // versioned read of the ledger row (READ_COMMITTED_SNAPSHOT) can only see an older, never a freer, status.
    // Spliced into the claim and planning statements as a constant (the compiler refuses anything but constants).
    internal const string ClaimableU = """
        (u.billing_submission_id IS NULL OR NOT EXISTS (SELECT 1 FROM [$(Schema)].ub_submission AS prev
                                                       WHERE prev.id = u.billing_submission_id AND prev.status NOT IN ('void', 'released', 'rejected')))
        """;

    // The claim's writes of its own ledger row: only while the run still owns it, it is still 'preparing' and the run
    // is still 'running' (a recovering run that adopted it has voided it; writing on would strand its rows). The
    // ledger row is locked by the statement, so an adoption in flight waits for this transaction or wins before it.
    private const string StillPreparing = """
        owner_run_id = @RunId AND status = 'preparing'
          AND EXISTS (SELECT 1 FROM [$(Schema)].ub_run WITH (READCOMMITTEDLOCK) WHERE id = @RunId AND status = 'running')
        """;
    // Each short transaction's first statement: a statement blocked longer than this fails with 1222 and the
    // transaction runs again (SqlServerDatabase.LockTimeout; a literal, as SET LOCK_TIMEOUT takes no variable).
    internal const string SetLockTimeoutSql = "SET LOCK_TIMEOUT 10000;";

    // Installation, runs and the run guard
    internal const string InstallationSql = """
        SELECT usage_id_prefix FROM [$(Schema)].ub_installation WITH (UPDLOCK, HOLDLOCK) WHERE id = 1;
        """;

    internal const string InsertInstallationSql = """
        INSERT INTO [$(Schema)].ub_installation (id, installation_id, usage_id_prefix, created_at) VALUES (1, @Id, @Prefix, @Now);
        """;

    // OUTPUT … INTO, never a plain OUTPUT: refused (Msg 334) once a DBA puts a trigger on the table.
    internal const string StartRunSql = """
        DECLARE @inserted TABLE (id bigint NOT NULL);
        INSERT INTO [$(Schema)].ub_run (job, provider_account, usage_table, status, dry_run, scheduled_at, cutoff, started_at,
                                        lease_until, host, process_id, process_start)
        OUTPUT inserted.id INTO @inserted (id)
        VALUES (@Job, @ProviderAccount, @UsageTable, 'running', @DryRun, @ScheduledAt, @Cutoff, @StartedAt,
                DATEADD(millisecond, @LeaseMs, SYSUTCDATETIME()), @Host, @ProcessId, @ProcessStart);
        SELECT id FROM @inserted;
        """;

    // Session-owned: held for the whole run on the guard's own connection, released by SQL Server the moment that
    // session ends (the process died), so a killed run never locks the job. @LockTimeout = 0: never wait.
    internal const string GetJobLockSql = """
        DECLARE @result int;
        EXEC @result = sp_getapplock @Resource = @Resource, @LockMode = 'Exclusive', @LockOwner = 'Session', @LockTimeout = 0, @DbPrincipal = 'public';
        SELECT @result;
        """;

    // Transaction-owned: released at commit or rollback. Waits (no timeout of its own): the holder is another claim's
    // short decide transaction; a cycle with row locks is a deadlock SQL Server resolves, and the transaction reruns.
    internal const string LockGroupFactsSql = """
        DECLARE @result int;
        EXEC @result = sp_getapplock @Resource = @Resource, @LockMode = 'Exclusive', @LockOwner = 'Transaction', @LockTimeout = -1, @DbPrincipal = 'public';
        SELECT @result;
        """;

    internal const string WriteJobLockRowSql = """
        UPDATE [$(Schema)].ub_job_lock SET run_id = @RunId, lease_until = DATEADD(millisecond, @LeaseMs, SYSUTCDATETIME()) WHERE job = @Job;
        IF @@ROWCOUNT = 0
            INSERT INTO [$(Schema)].ub_job_lock (job, run_id, lease_until) VALUES (@Job, @RunId, DATEADD(millisecond, @LeaseMs, SYSUTCDATETIME()));
        """;

    internal const string ReleaseJobLockSql = """
        DELETE FROM [$(Schema)].ub_job_lock WHERE job = @Job AND run_id = @RunId;
        IF APPLOCK_MODE('public', @Resource, 'Session') <> 'NoLock'
            EXEC sp_releaseapplock @Resource = @Resource, @LockOwner = 'Session', @DbPrincipal = 'public';
        """;

    internal const string DeleteJobLockRowSql = "DELETE FROM [$(Schema)].ub_job_lock WHERE job = @Job AND run_id = @RunId;";

    // APPLOCK_TEST = 1 means the lock could be granted, i.e. nobody holds it (whatever a stale row says).
    internal const string JobLockHolderSql = """
        SELECT CASE WHEN APPLOCK_TEST('public', @Resource, 'Exclusive', 'Session') = 1 THEN NULL
                    ELSE (SELECT run_id FROM [$(Schema)].ub_job_lock WHERE job = @Job) END;
        """;

    internal const string RenewRunLeaseSql = """
        DECLARE @changed TABLE (id bigint NOT NULL);
        UPDATE [$(Schema)].ub_run SET lease_until = DATEADD(millisecond, @LeaseMs, SYSUTCDATETIME())
        OUTPUT inserted.id INTO @changed (id)
        WHERE id = @RunId AND status = 'running';
        SELECT COUNT(*) FROM @changed;
        """;

    // Answers the session's hold on the app lock too: a renewal that succeeds on a session that no longer holds the
    // lock (it cannot be taken from a live session, but a DBA's sp_releaseapplock on it can) is a lost guard.
    internal const string RenewJobLockSql = """
        UPDATE [$(Schema)].ub_job_lock SET lease_until = DATEADD(millisecond, @LeaseMs, SYSUTCDATETIME()) WHERE job = @Job AND run_id = @RunId;
        SELECT APPLOCK_MODE('public', @Resource, 'Session');
        """;

    internal const string JobLockModeSql = "SELECT APPLOCK_MODE('public', @Resource, 'Session');";

    internal const string FinishRunSql = """
        UPDATE [$(Schema)].ub_run
        SET status = @Status, exit_code = @ExitCode, message = @Message, summary_json = @Summary, finished_at = @Now, lease_until = @Now
        WHERE id = @RunId AND status = 'running';
        """;

    internal const string RunStatusSql = "SELECT status FROM [$(Schema)].ub_run WHERE id = @RunId;";

    // The crashed-process check
    internal const string RunningRunsSql = """
        SELECT id, job, host, process_id, process_start, started_at, lease_until,
               CAST(CASE WHEN lease_until < SYSUTCDATETIME() THEN 1 ELSE 0 END AS bigint) AS lease_expired
        FROM [$(Schema)].ub_run WHERE status = 'running' ORDER BY id;
        """;

    internal const string DeclareDeadSql = """
        UPDATE [$(Schema)].ub_run WITH (ROWLOCK)
        SET status = 'dead', finished_at = @Now, lease_until = @Now, message = @Reason
        WHERE id = @RunId AND status = 'running';
        SELECT @@ROWCOUNT;
        DELETE FROM [$(Schema)].ub_job_lock WHERE run_id = @RunId;
        """;
}
