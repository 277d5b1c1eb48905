-- UsageBatch schema 5 (SQLite): an index on occurred_at of each usage table, so a run's freshness check and the
-- console's health read the newest row's occurred_at (any status) with one seek instead of a scan.
CREATE INDEX IF NOT EXISTS ix_whop_usage_occurred ON whop_usage (occurred_at);
CREATE INDEX IF NOT EXISTS ix_chargebee_usage_occurred ON chargebee_usage (occurred_at);

INSERT OR IGNORE INTO ub_schema_version (version, script, applied_at)
VALUES (5, '005_newest_usage.sql', strftime('%Y-%m-%dT%H:%M:%fZ', 'now'));
