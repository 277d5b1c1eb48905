-- UsageBatch schema 8 (SQL Server): indexes for what the operator console and reconcile look up.
--   ix_*_usage_exceptions: the console's exceptions page and overview find held and rejected rows (few, whatever the
--     table's size) without scanning the usage table every refresh.
--   ix_ub_submission_provider_usage / ix_ub_submission_usage_id: reconcile finds the ledger rows of the provider's
--     usage ids by seeks (two lookups, one per id column), not by a scan of the whole ledger per page of usages.
-- Re-runnable. Each CREATE INDEX reads its table once and takes a shared lock on it while it builds (an offline
-- build): apply between runs, or add WITH (ONLINE = ON) by hand on an edition that has it.

SET QUOTED_IDENTIFIER ON;
SET ANSI_NULLS ON;
SET XACT_ABORT ON;
GO

IF NOT EXISTS (SELECT 1 FROM sys.indexes WHERE object_id = OBJECT_ID(N'[$(Schema)].whop_usage') AND name = N'ix_whop_usage_exceptions')
    CREATE NONCLUSTERED INDEX ix_whop_usage_exceptions ON [$(Schema)].whop_usage (billing_submission_id)
        INCLUDE (billing_status, billing_run_id) WHERE billing_status IN ('held', 'rejected');
GO

IF NOT EXISTS (SELECT 1 FROM sys.indexes WHERE object_id = OBJECT_ID(N'[$(Schema)].chargebee_usage') AND name = N'ix_chargebee_usage_exceptions')
    CREATE NONCLUSTERED INDEX ix_chargebee_usage_exceptions ON [$(Schema)].chargebee_usage (billing_submission_id)
        INCLUDE (billing_status, billing_run_id) WHERE billing_status IN ('held', 'rejected');
GO

IF NOT EXISTS (SELECT 1 FROM sys.indexes WHERE object_id = OBJECT_ID(N'[$(Schema)].ub_submission') AND name = N'ix_ub_submission_provider_usage')
    CREATE NONCLUSTERED INDEX ix_ub_submission_provider_usage ON [$(Schema)].ub_submission (provider_usage_id) INCLUDE (provider_account);
GO

IF NOT EXISTS (SELECT 1 FROM sys.indexes WHERE object_id = OBJECT_ID(N'[$(Schema)].ub_submission') AND name = N'ix_ub_submission_usage_id')
    CREATE NONCLUSTERED INDEX ix_ub_submission_usage_id ON [$(Schema)].ub_submission (usage_id) INCLUDE (provider_account);
GO

IF NOT EXISTS (SELECT 1 FROM [$(Schema)].ub_schema_version WHERE version = 8)
    INSERT INTO [$(Schema)].ub_schema_version (version, script) VALUES (8, N'008_exception_and_reconcile_indexes.sql');
GO
