-- UsageBatch schema 1 (SQL Server): the usage tables DBAs seed. Re-runnable: every object is created only when
-- missing, nothing is ever dropped.
--
-- How to run (scripts in order 001, 002, 003, 004; see README "For DBAs"):
--   sqlcmd -S SERVER -d DATABASE -b -I -v Schema=dbo -i 001_usage_tables.sql
--   (-b stops at the first error, -I turns QUOTED_IDENTIFIER on, which filtered indexes need; -v names the schema.)
--   SSMS: Query > SQLCMD Mode, and add the line  :setvar Schema dbo  above the script in the query window.
-- The files carry no :setvar line on purpose: a :setvar in a file overrides sqlcmd's -v, and `usagebatch db init`
-- (which applies these same files itself, splitting on GO and substituting the variable after checking that it
-- is a plain identifier) accepts no sqlcmd commands.
--
-- Types: values are decimal(28,10), which round-trips through .NET decimal; NOTE: SQL Server silently ROUNDS a
-- value with more than 10 decimals on insert (0.12345678901 is stored as 0.1234567890), so seed with at most 10.
-- occurred_at is datetime2(3) in UTC. It is nullable so a row without it is rejected with a reason by the job
-- instead of refused at insert.
-- Ids and keys use a binary collation: provider ids are case-sensitive, so 'bi_A' and 'bi_a' must never group
-- together, and the unique source_key compares exactly as on the embedded SQLite database.

SET QUOTED_IDENTIFIER ON;
SET ANSI_NULLS ON;
SET XACT_ABORT ON;
GO

IF SCHEMA_ID(N'$(Schema)') IS NULL
    EXEC (N'CREATE SCHEMA [$(Schema)] AUTHORIZATION dbo');
GO

IF OBJECT_ID(N'[$(Schema)].ub_schema_version', N'U') IS NULL
CREATE TABLE [$(Schema)].ub_schema_version (
    version    int           NOT NULL CONSTRAINT PK_ub_schema_version PRIMARY KEY,
    script     nvarchar(200) NOT NULL,
    applied_at datetime2(3)  NOT NULL CONSTRAINT DF_ub_schema_version_applied_at DEFAULT SYSUTCDATETIME()
);
GO

IF OBJECT_ID(N'[$(Schema)].whop_usage', N'U') IS NULL
CREATE TABLE [$(Schema)].whop_usage (
    id                      bigint IDENTITY(1, 1) NOT NULL CONSTRAINT PK_whop_usage PRIMARY KEY CLUSTERED,
    source_key              nvarchar(200) COLLATE Latin1_General_100_BIN2 NOT NULL CONSTRAINT UQ_whop_usage_source_key UNIQUE,
    company_id              varchar(100)  COLLATE Latin1_General_100_BIN2 NULL,
    membership_id           varchar(100)  COLLATE Latin1_General_100_BIN2 NULL,
    billing_item_id         varchar(100)  COLLATE Latin1_General_100_BIN2 NULL,
    billing_item_identifier nvarchar(200) COLLATE Latin1_General_100_BIN2 NULL,
    amount                  decimal(28, 10) NULL,
    quantity                decimal(28, 10) NULL,
    occurred_at             datetime2(3)  NULL,
    billing_status          varchar(10)   NOT NULL CONSTRAINT DF_whop_usage_billing_status DEFAULT 'pending'
                            CONSTRAINT CK_whop_usage_billing_status CHECK (billing_status IN ('pending', 'claimed', 'billed', 'rejected', 'held')),
    billing_run_id          bigint        NULL,
    billing_submission_id   bigint        NULL,
    provider_usage_id       varchar(100)  COLLATE Latin1_General_100_BIN2 NULL,
    provider_receipt_id     varchar(100)  COLLATE Latin1_General_100_BIN2 NULL,
    billed_at               datetime2(3)  NULL,
    billing_attempts        int           NOT NULL CONSTRAINT DF_whop_usage_billing_attempts DEFAULT 0,
    billing_error           nvarchar(4000) NULL
);
GO

-- Filtered index: only pending rows are in it, so the job's scan, GROUP BY and claim touch nothing else, and a
-- write-back (which moves a row out of 'pending') does not rewrite entries of an index keyed on billing_status
-- (measured on SQLite at 1M rows: 26.7 s vs 5.7 s). The job's queries spell billing_status = 'pending' as a
-- literal so the optimizer can match this filter. INCLUDE makes the GROUP BY covering.
IF NOT EXISTS (SELECT 1 FROM sys.indexes WHERE object_id = OBJECT_ID(N'[$(Schema)].whop_usage') AND name = N'ix_whop_usage_pending')
CREATE NONCLUSTERED INDEX ix_whop_usage_pending
    ON [$(Schema)].whop_usage (membership_id, company_id, billing_item_id, billing_item_identifier, occurred_at)
    INCLUDE (amount, quantity, billing_submission_id)
    WHERE billing_status = 'pending';
GO

-- Settling (write-back) finds a submission's rows by this.
IF NOT EXISTS (SELECT 1 FROM sys.indexes WHERE object_id = OBJECT_ID(N'[$(Schema)].whop_usage') AND name = N'ix_whop_usage_submission')
CREATE NONCLUSTERED INDEX ix_whop_usage_submission ON [$(Schema)].whop_usage (billing_submission_id);
GO

IF OBJECT_ID(N'[$(Schema)].chargebee_usage', N'U') IS NULL
CREATE TABLE [$(Schema)].chargebee_usage (
    id                      bigint IDENTITY(1, 1) NOT NULL CONSTRAINT PK_chargebee_usage PRIMARY KEY CLUSTERED,
    source_key              nvarchar(200) COLLATE Latin1_General_100_BIN2 NOT NULL CONSTRAINT UQ_chargebee_usage_source_key UNIQUE,
    subscription_id         varchar(100)  COLLATE Latin1_General_100_BIN2 NULL,
    item_price_id           varchar(100)  COLLATE Latin1_General_100_BIN2 NULL,
    quantity                decimal(28, 10) NULL,
    occurred_at             datetime2(3)  NULL,
    note                    nvarchar(500) NULL,
    billing_status          varchar(10)   NOT NULL CONSTRAINT DF_chargebee_usage_billing_status DEFAULT 'pending'
                            CONSTRAINT CK_chargebee_usage_billing_status CHECK (billing_status IN ('pending', 'claimed', 'billed', 'rejected', 'held')),
    billing_run_id          bigint        NULL,
    billing_submission_id   bigint        NULL,
    provider_usage_id       varchar(100)  COLLATE Latin1_General_100_BIN2 NULL,
    provider_receipt_id     varchar(100)  COLLATE Latin1_General_100_BIN2 NULL,
    billed_at               datetime2(3)  NULL,
    billing_attempts        int           NOT NULL CONSTRAINT DF_chargebee_usage_billing_attempts DEFAULT 0,
    billing_error           nvarchar(4000) NULL
);
GO

IF NOT EXISTS (SELECT 1 FROM sys.indexes WHERE object_id = OBJECT_ID(N'[$(Schema)].chargebee_usage') AND name = N'ix_chargebee_usage_pending')
CREATE NONCLUSTERED INDEX ix_chargebee_usage_pending
    ON [$(Schema)].chargebee_usage (subscription_id, item_price_id, occurred_at)
    INCLUDE (quantity, billing_submission_id)
    WHERE billing_status = 'pending';
GO

IF NOT EXISTS (SELECT 1 FROM sys.indexes WHERE object_id = OBJECT_ID(N'[$(Schema)].chargebee_usage') AND name = N'ix_chargebee_usage_submission')
CREATE NONCLUSTERED INDEX ix_chargebee_usage_submission ON [$(Schema)].chargebee_usage (billing_submission_id);
GO

IF NOT EXISTS (SELECT 1 FROM [$(Schema)].ub_schema_version WHERE version = 1)
    INSERT INTO [$(Schema)].ub_schema_version (version, script) VALUES (1, N'001_usage_tables.sql');
GO
