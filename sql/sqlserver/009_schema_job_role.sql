-- UsageBatch schema 9 (SQL Server): the job's role per schema. 004's role usagebatch_job is one per database, so
-- two installations in two schemas of one database granted it each other's tables: a login of either could read
-- (and update) the other's usage. usagebatch_job_<schema> is granted exactly this schema's objects, with the same
-- least privileges as 004 (see there); extras/grant_job_login.sql puts a login in it.
-- The shared role keeps its grants on this schema while it has members, so an installation running under it keeps
-- working through the upgrade. Once its logins are in the new role (run extras/grant_job_login.sql, then
-- ALTER ROLE usagebatch_job DROP MEMBER ...), run this script again: it revokes this schema's grants from the
-- shared role. Re-runnable. A schema name over 113 characters makes the role name too long (128): refused.

SET QUOTED_IDENTIFIER ON;
SET ANSI_NULLS ON;
SET XACT_ABORT ON;
GO

IF DATABASE_PRINCIPAL_ID(N'usagebatch_job_$(Schema)') IS NULL
    CREATE ROLE [usagebatch_job_$(Schema)] AUTHORIZATION dbo;
GO

GRANT SELECT, UPDATE ON OBJECT::[$(Schema)].whop_usage TO [usagebatch_job_$(Schema)];
GRANT SELECT, UPDATE ON OBJECT::[$(Schema)].chargebee_usage TO [usagebatch_job_$(Schema)];
GRANT SELECT ON OBJECT::[$(Schema)].ub_schema_version TO [usagebatch_job_$(Schema)];
GRANT SELECT, INSERT, UPDATE, DELETE ON OBJECT::[$(Schema)].ub_installation TO [usagebatch_job_$(Schema)];
GRANT SELECT, INSERT, UPDATE, DELETE ON OBJECT::[$(Schema)].ub_run TO [usagebatch_job_$(Schema)];
GRANT SELECT, INSERT, UPDATE, DELETE ON OBJECT::[$(Schema)].ub_submission TO [usagebatch_job_$(Schema)];
GRANT SELECT, INSERT, UPDATE, DELETE ON OBJECT::[$(Schema)].ub_submission_event TO [usagebatch_job_$(Schema)];
GRANT SELECT, INSERT, UPDATE, DELETE ON OBJECT::[$(Schema)].ub_row_exception TO [usagebatch_job_$(Schema)];
GRANT SELECT, INSERT, UPDATE, DELETE ON OBJECT::[$(Schema)].ub_job_lock TO [usagebatch_job_$(Schema)];
GRANT SELECT, INSERT, UPDATE, DELETE ON OBJECT::[$(Schema)].QRTZ_BLOB_TRIGGERS TO [usagebatch_job_$(Schema)];
GRANT SELECT, INSERT, UPDATE, DELETE ON OBJECT::[$(Schema)].QRTZ_CALENDARS TO [usagebatch_job_$(Schema)];
GRANT SELECT, INSERT, UPDATE, DELETE ON OBJECT::[$(Schema)].QRTZ_CRON_TRIGGERS TO [usagebatch_job_$(Schema)];
GRANT SELECT, INSERT, UPDATE, DELETE ON OBJECT::[$(Schema)].QRTZ_EXECUTION_HISTORY TO [usagebatch_job_$(Schema)];
GRANT SELECT, INSERT, UPDATE, DELETE ON OBJECT::[$(Schema)].QRTZ_FIRED_TRIGGERS TO [usagebatch_job_$(Schema)];
GRANT SELECT, INSERT, UPDATE, DELETE ON OBJECT::[$(Schema)].QRTZ_JOB_DETAILS TO [usagebatch_job_$(Schema)];
GRANT SELECT, INSERT, UPDATE, DELETE ON OBJECT::[$(Schema)].QRTZ_JOB_STATUS TO [usagebatch_job_$(Schema)];
GRANT SELECT, INSERT, UPDATE, DELETE ON OBJECT::[$(Schema)].QRTZ_LOCKS TO [usagebatch_job_$(Schema)];
GRANT SELECT, INSERT, UPDATE, DELETE ON OBJECT::[$(Schema)].QRTZ_MISFIRE_HISTORY TO [usagebatch_job_$(Schema)];
GRANT SELECT, INSERT, UPDATE, DELETE ON OBJECT::[$(Schema)].QRTZ_PAUSED_JOB_GRPS TO [usagebatch_job_$(Schema)];
GRANT SELECT, INSERT, UPDATE, DELETE ON OBJECT::[$(Schema)].QRTZ_PAUSED_TRIGGER_GRPS TO [usagebatch_job_$(Schema)];
GRANT SELECT, INSERT, UPDATE, DELETE ON OBJECT::[$(Schema)].QRTZ_SCHEDULER_STATE TO [usagebatch_job_$(Schema)];
GRANT SELECT, INSERT, UPDATE, DELETE ON OBJECT::[$(Schema)].QRTZ_SIMPLE_TRIGGERS TO [usagebatch_job_$(Schema)];
GRANT SELECT, INSERT, UPDATE, DELETE ON OBJECT::[$(Schema)].QRTZ_SIMPROP_TRIGGERS TO [usagebatch_job_$(Schema)];
GRANT SELECT, INSERT, UPDATE, DELETE ON OBJECT::[$(Schema)].QRTZ_TRIGGERS TO [usagebatch_job_$(Schema)];
GO

-- The shared role loses this schema once nobody is in it (a fresh install: at once).
IF DATABASE_PRINCIPAL_ID(N'usagebatch_job') IS NOT NULL
   AND NOT EXISTS (SELECT 1 FROM sys.database_role_members WHERE role_principal_id = DATABASE_PRINCIPAL_ID(N'usagebatch_job'))
BEGIN
    REVOKE SELECT, UPDATE ON OBJECT::[$(Schema)].whop_usage FROM usagebatch_job;
    REVOKE SELECT, UPDATE ON OBJECT::[$(Schema)].chargebee_usage FROM usagebatch_job;
    REVOKE SELECT ON OBJECT::[$(Schema)].ub_schema_version FROM usagebatch_job;
    REVOKE SELECT, INSERT, UPDATE, DELETE ON OBJECT::[$(Schema)].ub_installation FROM usagebatch_job;
    REVOKE SELECT, INSERT, UPDATE, DELETE ON OBJECT::[$(Schema)].ub_run FROM usagebatch_job;
    REVOKE SELECT, INSERT, UPDATE, DELETE ON OBJECT::[$(Schema)].ub_submission FROM usagebatch_job;
    REVOKE SELECT, INSERT, UPDATE, DELETE ON OBJECT::[$(Schema)].ub_submission_event FROM usagebatch_job;
    REVOKE SELECT, INSERT, UPDATE, DELETE ON OBJECT::[$(Schema)].ub_row_exception FROM usagebatch_job;
    REVOKE SELECT, INSERT, UPDATE, DELETE ON OBJECT::[$(Schema)].ub_job_lock FROM usagebatch_job;
    REVOKE SELECT, INSERT, UPDATE, DELETE ON OBJECT::[$(Schema)].QRTZ_BLOB_TRIGGERS FROM usagebatch_job;
    REVOKE SELECT, INSERT, UPDATE, DELETE ON OBJECT::[$(Schema)].QRTZ_CALENDARS FROM usagebatch_job;
    REVOKE SELECT, INSERT, UPDATE, DELETE ON OBJECT::[$(Schema)].QRTZ_CRON_TRIGGERS FROM usagebatch_job;
    REVOKE SELECT, INSERT, UPDATE, DELETE ON OBJECT::[$(Schema)].QRTZ_EXECUTION_HISTORY FROM usagebatch_job;
    REVOKE SELECT, INSERT, UPDATE, DELETE ON OBJECT::[$(Schema)].QRTZ_FIRED_TRIGGERS FROM usagebatch_job;
    REVOKE SELECT, INSERT, UPDATE, DELETE ON OBJECT::[$(Schema)].QRTZ_JOB_DETAILS FROM usagebatch_job;
    REVOKE SELECT, INSERT, UPDATE, DELETE ON OBJECT::[$(Schema)].QRTZ_JOB_STATUS FROM usagebatch_job;
    REVOKE SELECT, INSERT, UPDATE, DELETE ON OBJECT::[$(Schema)].QRTZ_LOCKS FROM usagebatch_job;
    REVOKE SELECT, INSERT, UPDATE, DELETE ON OBJECT::[$(Schema)].QRTZ_MISFIRE_HISTORY FROM usagebatch_job;
    REVOKE SELECT, INSERT, UPDATE, DELETE ON OBJECT::[$(Schema)].QRTZ_PAUSED_JOB_GRPS FROM usagebatch_job;
    REVOKE SELECT, INSERT, UPDATE, DELETE ON OBJECT::[$(Schema)].QRTZ_PAUSED_TRIGGER_GRPS FROM usagebatch_job;
    REVOKE SELECT, INSERT, UPDATE, DELETE ON OBJECT::[$(Schema)].QRTZ_SCHEDULER_STATE FROM usagebatch_job;
    REVOKE SELECT, INSERT, UPDATE, DELETE ON OBJECT::[$(Schema)].QRTZ_SIMPLE_TRIGGERS FROM usagebatch_job;
    REVOKE SELECT, INSERT, UPDATE, DELETE ON OBJECT::[$(Schema)].QRTZ_SIMPROP_TRIGGERS FROM usagebatch_job;
    REVOKE SELECT, INSERT, UPDATE, DELETE ON OBJECT::[$(Schema)].QRTZ_TRIGGERS FROM usagebatch_job;
END;
GO

IF NOT EXISTS (SELECT 1 FROM [$(Schema)].ub_schema_version WHERE version = 9)
    INSERT INTO [$(Schema)].ub_schema_version (version, script) VALUES (9, N'009_schema_job_role.sql');
GO
