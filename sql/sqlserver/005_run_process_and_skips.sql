-- UsageBatch schema 5 (SQL Server): a run records its process's start (process_start), so a run left 'running' by
-- a crashed process on its host is told apart from a live process that was given the same pid; and a run skipped
-- because its job was running elsewhere gets its own outcome, 'skipped'. Re-runnable.

IF COL_LENGTH(N'[$(Schema)].ub_run', N'process_start') IS NULL
    ALTER TABLE [$(Schema)].ub_run ADD process_start varchar(100) NULL;
GO

IF EXISTS (SELECT 1 FROM sys.check_constraints
           WHERE parent_object_id = OBJECT_ID(N'[$(Schema)].ub_run') AND name = N'CK_ub_run_status' AND definition NOT LIKE N'%skipped%')
    ALTER TABLE [$(Schema)].ub_run DROP CONSTRAINT CK_ub_run_status;
GO

IF NOT EXISTS (SELECT 1 FROM sys.check_constraints WHERE parent_object_id = OBJECT_ID(N'[$(Schema)].ub_run') AND name = N'CK_ub_run_status')
    ALTER TABLE [$(Schema)].ub_run ADD CONSTRAINT CK_ub_run_status
        CHECK (status IN ('running', 'succeeded', 'attention', 'aborted', 'skipped', 'dead'));
GO

IF NOT EXISTS (SELECT 1 FROM [$(Schema)].ub_schema_version WHERE version = 5)
    INSERT INTO [$(Schema)].ub_schema_version (version, script) VALUES (5, N'005_run_process_and_skips.sql');
GO
