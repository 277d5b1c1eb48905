-- UsageBatch schema 7 (SQL Server): every final submission is carried by exactly one written report, however many
-- runs die in a row. ub_submission.reported_run_id is the run whose report carries its final outcome;
-- ub_run.report_written_at is when that run's report files were written. A run that ends carries every final
-- submission of its provider account that no written report carries yet (its own, and those finished by runs that
-- died or could not write their report). Re-runnable. Adding a NULL column is a metadata-only change; the backfill
-- touches every settled ledger row once: apply between runs.

SET QUOTED_IDENTIFIER ON;
SET ANSI_NULLS ON;
SET XACT_ABORT ON;
GO

IF COL_LENGTH(N'[$(Schema)].ub_submission', N'reported_run_id') IS NULL
    ALTER TABLE [$(Schema)].ub_submission ADD reported_run_id bigint NULL;
GO

IF COL_LENGTH(N'[$(Schema)].ub_run', N'report_written_at') IS NULL
    ALTER TABLE [$(Schema)].ub_run ADD report_written_at datetime2(3) NULL;
GO

-- History, once: what a finished run settled counts as reported by it when the run wrote its report (every finished
-- outcome but 'dead' and 'skipped' did). What a dead run finished was in no report: the next run carries it.
IF NOT EXISTS (SELECT 1 FROM [$(Schema)].ub_schema_version WHERE version = 7)
BEGIN
    UPDATE [$(Schema)].ub_run SET report_written_at = finished_at
    WHERE status IN ('succeeded', 'attention', 'aborted') AND dry_run = 0 AND report_written_at IS NULL;
    UPDATE [$(Schema)].ub_submission SET reported_run_id = owner_run_id
    WHERE settled_at IS NOT NULL AND reported_run_id IS NULL
      AND status IN ('confirmed', 'zero', 'rejected', 'held', 'released', 'void');
END;
GO

IF NOT EXISTS (SELECT 1 FROM sys.indexes WHERE object_id = OBJECT_ID(N'[$(Schema)].ub_submission') AND name = N'ix_ub_submission_unreported')
    CREATE NONCLUSTERED INDEX ix_ub_submission_unreported ON [$(Schema)].ub_submission (provider_account, reported_run_id)
        INCLUDE (owner_run_id, status) WHERE settled_at IS NOT NULL;
GO

-- Runs whose report is not written (yet): few, whatever the history; what a finishing run looks them up by.
IF NOT EXISTS (SELECT 1 FROM sys.indexes WHERE object_id = OBJECT_ID(N'[$(Schema)].ub_run') AND name = N'ix_ub_run_report_unwritten')
    CREATE NONCLUSTERED INDEX ix_ub_run_report_unwritten ON [$(Schema)].ub_run (id) INCLUDE (status) WHERE report_written_at IS NULL;
GO

IF NOT EXISTS (SELECT 1 FROM [$(Schema)].ub_schema_version WHERE version = 7)
    INSERT INTO [$(Schema)].ub_schema_version (version, script) VALUES (7, N'007_report_carry.sql');
GO
