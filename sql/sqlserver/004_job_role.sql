-- UsageBatch schema 4 (SQL Server): the database role the job's login belongs to, with the least privileges the
-- job needs. Re-runnable (GRANT is idempotent). Run after 003; then give a login the role with
-- extras/grant_job_login.sql.
--
-- What the role may do, and nothing else (no DDL, no EXECUTE, no access to any other table):
--   usage tables            SELECT, UPDATE          (the job never inserts or deletes usage rows; DBAs do)
--   ub_* job tables         SELECT, INSERT, UPDATE, DELETE
--   ub_schema_version       SELECT                  (`run` only checks the version; `db init` needs db_owner)
--   QRTZ_* scheduler tables SELECT, INSERT, UPDATE, DELETE (Quartz's persistent/clustered store)
-- sp_getapplock / APPLOCK_TEST (the run guard) need only membership in public.

SET QUOTED_IDENTIFIER ON;
SET ANSI_NULLS ON;
SET XACT_ABORT ON;
GO

IF DATABASE_PRINCIPAL_ID(N'usagebatch_job') IS NULL
    CREATE ROLE usagebatch_job AUTHORIZATION dbo;
GO

GRANT SELECT, UPDATE ON OBJECT::[$(Schema)].whop_usage TO usagebatch_job;
GRANT SELECT, UPDATE ON OBJECT::[$(Schema)].chargebee_usage TO usagebatch_job;
GO

GRANT SELECT ON OBJECT::[$(Schema)].ub_schema_version TO usagebatch_job;
GRANT SELECT, INSERT, UPDATE, DELETE ON OBJECT::[$(Schema)].ub_installation TO usagebatch_job;
GRANT SELECT, INSERT, UPDATE, DELETE ON OBJECT::[$(Schema)].ub_run TO usagebatch_job;
GRANT SELECT, INSERT, UPDATE, DELETE ON OBJECT::[$(Schema)].ub_submission TO usagebatch_job;
GRANT SELECT, INSERT, UPDATE, DELETE ON OBJECT::[$(Schema)].ub_submission_event TO usagebatch_job;
GRANT SELECT, INSERT, UPDATE, DELETE ON OBJECT::[$(Schema)].ub_row_exception TO usagebatch_job;
GRANT SELECT, INSERT, UPDATE, DELETE ON OBJECT::[$(Schema)].ub_job_lock TO usagebatch_job;
GO

GRANT SELECT, INSERT, UPDATE, DELETE ON OBJECT::[$(Schema)].QRTZ_BLOB_TRIGGERS TO usagebatch_job;
GRANT SELECT, INSERT, UPDATE, DELETE ON OBJECT::[$(Schema)].QRTZ_CALENDARS TO usagebatch_job;
GRANT SELECT, INSERT, UPDATE, DELETE ON OBJECT::[$(Schema)].QRTZ_CRON_TRIGGERS TO usagebatch_job;
GRANT SELECT, INSERT, UPDATE, DELETE ON OBJECT::[$(Schema)].QRTZ_EXECUTION_HISTORY TO usagebatch_job;
GRANT SELECT, INSERT, UPDATE, DELETE ON OBJECT::[$(Schema)].QRTZ_FIRED_TRIGGERS TO usagebatch_job;
GRANT SELECT, INSERT, UPDATE, DELETE ON OBJECT::[$(Schema)].QRTZ_JOB_DETAILS TO usagebatch_job;
GRANT SELECT, INSERT, UPDATE, DELETE ON OBJECT::[$(Schema)].QRTZ_JOB_STATUS TO usagebatch_job;
GRANT SELECT, INSERT, UPDATE, DELETE ON OBJECT::[$(Schema)].QRTZ_LOCKS TO usagebatch_job;
GRANT SELECT, INSERT, UPDATE, DELETE ON OBJECT::[$(Schema)].QRTZ_MISFIRE_HISTORY TO usagebatch_job;
GRANT SELECT, INSERT, UPDATE, DELETE ON OBJECT::[$(Schema)].QRTZ_PAUSED_JOB_GRPS TO usagebatch_job;
GRANT SELECT, INSERT, UPDATE, DELETE ON OBJECT::[$(Schema)].QRTZ_PAUSED_TRIGGER_GRPS TO usagebatch_job;
GRANT SELECT, INSERT, UPDATE, DELETE ON OBJECT::[$(Schema)].QRTZ_SCHEDULER_STATE TO usagebatch_job;
GRANT SELECT, INSERT, UPDATE, DELETE ON OBJECT::[$(Schema)].QRTZ_SIMPLE_TRIGGERS TO usagebatch_job;
GRANT SELECT, INSERT, UPDATE, DELETE ON OBJECT::[$(Schema)].QRTZ_SIMPROP_TRIGGERS TO usagebatch_job;
GRANT SELECT, INSERT, UPDATE, DELETE ON OBJECT::[$(Schema)].QRTZ_TRIGGERS TO usagebatch_job;
GO

IF NOT EXISTS (SELECT 1 FROM [$(Schema)].ub_schema_version WHERE version = 4)
    INSERT INTO [$(Schema)].ub_schema_version (version, script) VALUES (4, N'004_job_role.sql');
GO
