-- UsageBatch schema 10 (SQL Server): an index on occurred_at of each usage table, so a run's freshness check
-- (expectUsageWithin) and the console's health read the newest row's occurred_at (any status) with one seek instead
-- of a scan of the table every refresh. Re-runnable. Each CREATE INDEX reads its table once and takes a shared lock
-- on it while it builds (offline): apply between runs, or add WITH (ONLINE = ON) by hand on an edition that has it.

SET QUOTED_IDENTIFIER ON;
SET ANSI_NULLS ON;
SET XACT_ABORT ON;
GO

IF NOT EXISTS (SELECT 1 FROM sys.indexes WHERE object_id = OBJECT_ID(N'[$(Schema)].whop_usage') AND name = N'ix_whop_usage_occurred')
    CREATE NONCLUSTERED INDEX ix_whop_usage_occurred ON [$(Schema)].whop_usage (occurred_at);
GO

IF NOT EXISTS (SELECT 1 FROM sys.indexes WHERE object_id = OBJECT_ID(N'[$(Schema)].chargebee_usage') AND name = N'ix_chargebee_usage_occurred')
    CREATE NONCLUSTERED INDEX ix_chargebee_usage_occurred ON [$(Schema)].chargebee_usage (occurred_at);
GO

IF NOT EXISTS (SELECT 1 FROM [$(Schema)].ub_schema_version WHERE version = 10)
    INSERT INTO [$(Schema)].ub_schema_version (version, script) VALUES (10, N'010_newest_usage.sql');
GO
