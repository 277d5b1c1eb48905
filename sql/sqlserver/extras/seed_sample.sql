-- UsageBatch (SQL Server): a few sample usage rows for trying the job out against the emulator's default
-- fixtures (`dotnet run --project src/UsageBatch.Emulator`). Not a numbered schema script: `db init` never runs
-- it. Re-runnable: source_key is unique and each row is inserted only when its key is missing.
--   sqlcmd -S SERVER -d DATABASE -b -I -v Schema=dbo -i extras/seed_sample.sql
-- Rows are dated yesterday (UTC), so they are before the default cutoff (scheduled time minus settleDelay).
-- Values have at most 10 decimals: SQL Server silently rounds anything longer on insert.

SET QUOTED_IDENTIFIER ON;
SET XACT_ABORT ON;
GO

DECLARE @day datetime2(3) = DATEADD(day, -1, CAST(CAST(SYSUTCDATETIME() AS date) AS datetime2(3)));

INSERT INTO [$(Schema)].whop_usage (source_key, membership_id, company_id, billing_item_id, billing_item_identifier, amount, quantity, occurred_at)
SELECT s.source_key, s.membership_id, s.company_id, s.billing_item_id, s.billing_item_identifier, s.amount, s.quantity,
       DATEADD(minute, s.minute_of_day, @day)
FROM (VALUES
    (N'seed-whop-1', 'mem_Alpha01',   NULL, NULL, N'api-calls',   NULL,          CAST(120 AS decimal(28, 10)), 60),
    (N'seed-whop-2', 'mem_Alpha01',   NULL, NULL, N'api-calls',   NULL,          CAST(80 AS decimal(28, 10)),  120),
    (N'seed-whop-3', 'mem_Bravo02',   NULL, NULL, N'storage-gb',  NULL,          CAST(2.5 AS decimal(28, 10)), 180),
    (N'seed-whop-4', 'mem_Charlie03', NULL, NULL, N'overage-usd', CAST(12.34 AS decimal(28, 10)), NULL,        240)
) AS s (source_key, membership_id, company_id, billing_item_id, billing_item_identifier, amount, quantity, minute_of_day)
WHERE NOT EXISTS (SELECT 1 FROM [$(Schema)].whop_usage AS u WHERE u.source_key = s.source_key);

INSERT INTO [$(Schema)].chargebee_usage (source_key, subscription_id, item_price_id, quantity, occurred_at, note)
SELECT s.source_key, s.subscription_id, s.item_price_id, s.quantity, DATEADD(minute, s.minute_of_day, @day), s.note
FROM (VALUES
    (N'seed-cb-1', 'sub_Acme',    'api-calls-USD-monthly', CAST(10 AS decimal(28, 10)),   60,  N'sample'),
    (N'seed-cb-2', 'sub_Acme',    'api-calls-USD-monthly', CAST(5.25 AS decimal(28, 10)), 90,  NULL),
    (N'seed-cb-3', 'sub_Globex',  'api-calls-USD-monthly', CAST(7 AS decimal(28, 10)),    120, NULL),
    (N'seed-cb-4', 'sub_Initech', 'api-calls-USD-monthly', CAST(1 AS decimal(28, 10)),    150, NULL)
) AS s (source_key, subscription_id, item_price_id, quantity, minute_of_day, note)
WHERE NOT EXISTS (SELECT 1 FROM [$(Schema)].chargebee_usage AS u WHERE u.source_key = s.source_key);
GO
