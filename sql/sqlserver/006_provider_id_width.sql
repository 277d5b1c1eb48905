-- UsageBatch schema 6 (SQL Server): the provider's usage and receipt ids on the usage tables get the width the
-- ledger already gives them (varchar(200)). At varchar(100), an id of 101-200 characters was recorded on the
-- submission but could never be written back onto its rows, so the submission could never settle.
-- Re-runnable. Widening a varchar is a metadata-only change: no row is rewritten and the lock is brief.

SET QUOTED_IDENTIFIER ON;
SET ANSI_NULLS ON;
SET XACT_ABORT ON;
GO

IF COL_LENGTH(N'[$(Schema)].whop_usage', N'provider_usage_id') < 200
    ALTER TABLE [$(Schema)].whop_usage ALTER COLUMN provider_usage_id varchar(200) COLLATE Latin1_General_100_BIN2 NULL;
GO

IF COL_LENGTH(N'[$(Schema)].whop_usage', N'provider_receipt_id') < 200
    ALTER TABLE [$(Schema)].whop_usage ALTER COLUMN provider_receipt_id varchar(200) COLLATE Latin1_General_100_BIN2 NULL;
GO

IF COL_LENGTH(N'[$(Schema)].chargebee_usage', N'provider_usage_id') < 200
    ALTER TABLE [$(Schema)].chargebee_usage ALTER COLUMN provider_usage_id varchar(200) COLLATE Latin1_General_100_BIN2 NULL;
GO

IF COL_LENGTH(N'[$(Schema)].chargebee_usage', N'provider_receipt_id') < 200
    ALTER TABLE [$(Schema)].chargebee_usage ALTER COLUMN provider_receipt_id varchar(200) COLLATE Latin1_General_100_BIN2 NULL;
GO

IF NOT EXISTS (SELECT 1 FROM [$(Schema)].ub_schema_version WHERE version = 6)
    INSERT INTO [$(Schema)].ub_schema_version (version, script) VALUES (6, N'006_provider_id_width.sql');
GO
