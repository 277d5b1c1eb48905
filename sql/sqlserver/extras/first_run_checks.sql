-- UsageBatch (SQL Server): the checks of a first run on a real server, for a DBA, on a test copy of the database.
-- Not a numbered schema script: `db init` never runs it. What it settles is what no test without a server can:
-- whether the job's statements escalate to table locks, how many locks they hold, and that a DBA's own large write
-- during a run only delays the job (lock timeout, retried) instead of failing it.
--   sqlcmd -S SERVER -d DATABASE -b -I -v Schema=dbo -i extras/first_run_checks.sql
-- Then, in order:
--   1. run this script (it seeds 1M pending rows and starts the lock-escalation event session);
--   2. `usagebatch run --job <whop job>` against the emulator (a `maxInFlight` of 4 or more);
--      while it sends, in another window: the >5,000-row write of step 3 below, and once, kill the run guard's
--      session (step 4 below), then let the run finish;
--   3. read the results with the queries at the end of this file (section "After the run").

SET QUOTED_IDENTIFIER ON;
SET ANSI_NULLS ON;
SET XACT_ABORT ON;
GO

-- 1,000,000 pending rows of two groups the emulator's default fixtures know (the seed_sample pairs), interleaved by
-- id as real loads are: each claim batch of 2,000 rows is scattered over the table, and each settle moves 500,000.
IF NOT EXISTS (SELECT 1 FROM [$(Schema)].whop_usage WHERE source_key = N'check-0000001')
BEGIN
    DECLARE @day datetime2(3) = DATEADD(day, -1, CAST(CAST(SYSUTCDATETIME() AS date) AS datetime2(3)));
    WITH n AS (SELECT TOP (1000000) ROW_NUMBER() OVER (ORDER BY (SELECT NULL)) AS i
               FROM sys.all_objects AS a CROSS JOIN sys.all_objects AS b CROSS JOIN sys.all_objects AS c)
    INSERT INTO [$(Schema)].whop_usage (source_key, membership_id, billing_item_identifier, quantity, occurred_at)
    SELECT CONCAT(N'check-', RIGHT(CONCAT('0000000', i), 7)),
           CASE WHEN i % 2 = 0 THEN 'mem_Alpha01' ELSE 'mem_Bravo02' END, CASE WHEN i % 2 = 0 THEN N'api-calls' ELSE N'storage-gb' END,
           CAST(1 AS decimal(28, 10)), DATEADD(millisecond, CAST(i * 80 AS int), @day)
    FROM n;
END;
GO

-- Lock escalations on the usage tables, from now on (an event per escalation, with the statement that caused it).
-- Needs ALTER ANY EVENT SESSION; skip this batch and rely on the counters below without it.
IF EXISTS (SELECT 1 FROM sys.server_event_sessions WHERE name = N'usagebatch_escalations')
    DROP EVENT SESSION usagebatch_escalations ON SERVER;
GO
CREATE EVENT SESSION usagebatch_escalations ON SERVER
    -- server-wide (an event predicate takes literals only); each event names its database and application
    ADD EVENT sqlserver.lock_escalation (ACTION (sqlserver.sql_text, sqlserver.client_app_name, sqlserver.database_name))
    ADD TARGET package0.ring_buffer;
GO
ALTER EVENT SESSION usagebatch_escalations ON SERVER STATE = START;
GO

-- The counters before the run: escalations attempted and done, per index of each usage table.
SELECT OBJECT_NAME(s.object_id) AS table_name, i.name AS index_name,
       s.index_lock_promotion_attempt_count AS escalation_attempts_before, s.index_lock_promotion_count AS escalations_before
FROM sys.dm_db_index_operational_stats(DB_ID(), NULL, NULL, NULL) AS s
JOIN sys.indexes AS i ON i.object_id = s.object_id AND i.index_id = s.index_id
WHERE s.object_id IN (OBJECT_ID(N'[$(Schema)].whop_usage'), OBJECT_ID(N'[$(Schema)].chargebee_usage'))
ORDER BY table_name, index_name;
GO

-- During the run (step 2), in another window:
--   3. A DBA's write of more than 5,000 rows in one statement (it escalates on purpose and holds the table for 20 s):
--        BEGIN TRANSACTION;
--        UPDATE [dbo].whop_usage SET billing_attempts = billing_attempts WHERE id <= 6000;  -- changes nothing, locks 6,000 rows
--        WAITFOR DELAY '00:00:20';
--        COMMIT;
--      Expected: the run's log shows transactions retried after 1222 (lock timeout, 10 s) and the run completes.
--   4. Kill the run guard's session once (the job keeps billing; the guard is taken back):
--        SELECT session_id FROM sys.dm_exec_sessions WHERE program_name = 'UsageBatch' AND open_transaction_count = 0;
--        -- the unpooled one that holds the app lock:
--        SELECT request_session_id FROM sys.dm_tran_locks WHERE resource_type = 'APPLICATION' AND request_mode = 'X';
--        KILL <that session id>;
--   While a claim runs, the locks it holds per index (take the run's session id from sys.dm_exec_sessions):
--        SELECT resource_type, request_mode, COUNT(*) FROM sys.dm_tran_locks WHERE request_session_id = <id>
--        GROUP BY resource_type, request_mode;   -- KEY locks should stay under 4,000 per index, with PAGE intents

-- After the run (step 3 of the instructions above): any escalation on the usage tables means `batchSize` is too high
-- for this server's data layout; lower it (e.g. 1,300) and report it.
SELECT OBJECT_NAME(s.object_id) AS table_name, i.name AS index_name,
       s.index_lock_promotion_attempt_count AS escalation_attempts_now, s.index_lock_promotion_count AS escalations_now
FROM sys.dm_db_index_operational_stats(DB_ID(), NULL, NULL, NULL) AS s
JOIN sys.indexes AS i ON i.object_id = s.object_id AND i.index_id = s.index_id
WHERE s.object_id IN (OBJECT_ID(N'[$(Schema)].whop_usage'), OBJECT_ID(N'[$(Schema)].chargebee_usage'))
ORDER BY table_name, index_name;

SELECT CAST(t.target_data AS xml) AS escalation_events
FROM sys.dm_xe_session_targets AS t
JOIN sys.dm_xe_sessions AS x ON x.address = t.event_session_address
WHERE x.name = N'usagebatch_escalations';
GO
