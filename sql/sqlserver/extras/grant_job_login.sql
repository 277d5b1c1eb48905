-- UsageBatch (SQL Server): give the job's login a database user in the role usagebatch_job_<schema>
-- (009_schema_job_role.sql), which is granted this schema's objects and nothing else.
-- Not a numbered schema script: `db init` never runs it (it names a login, which is the DBA's decision).
-- Re-runnable. Create the login first, the way your server does logins (Windows/Entra group, or SQL login with
-- a strong password kept in the job host's environment, never in jobs.json), e.g. in master:
--   CREATE LOGIN usagebatch_app WITH PASSWORD = N'...', CHECK_POLICY = ON;
-- then, in the job's database:
--   sqlcmd -S SERVER -d DATABASE -b -I -v Schema=dbo JobLogin=usagebatch_app JobUser=usagebatch_app -i extras/grant_job_login.sql
-- The user gets the role and nothing else: no db_datareader/db_datawriter, no DDL. The job needs no
-- permission outside the database (sp_getapplock runs under public).

SET QUOTED_IDENTIFIER ON;
SET XACT_ABORT ON;
GO

IF DATABASE_PRINCIPAL_ID(N'$(JobUser)') IS NULL
    CREATE USER [$(JobUser)] FOR LOGIN [$(JobLogin)] WITH DEFAULT_SCHEMA = [$(Schema)];
GO

IF IS_ROLEMEMBER(N'usagebatch_job_$(Schema)', N'$(JobUser)') = 0
    ALTER ROLE [usagebatch_job_$(Schema)] ADD MEMBER [$(JobUser)];
GO
