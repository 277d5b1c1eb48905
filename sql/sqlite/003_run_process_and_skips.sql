-- UsageBatch schema 3 (SQLite): a run records its process's start (process_start), so a run left 'running' by a
-- crashed process on this host is told apart from a live process that was given the same pid; and a run skipped
-- because its job was running elsewhere gets its own outcome, 'skipped'.
-- SQLite cannot alter a CHECK constraint, so ub_run is rebuilt; the applier runs this script once (only scripts
-- above the recorded version run), inside one transaction.

CREATE TABLE ub_run_v3 (
    id               INTEGER PRIMARY KEY,
    job              TEXT    NOT NULL,
    provider_account TEXT    NOT NULL,
    usage_table      TEXT    NOT NULL,
    status           TEXT    NOT NULL CHECK (status IN ('running', 'succeeded', 'attention', 'aborted', 'skipped', 'dead')),
    dry_run          INTEGER NOT NULL DEFAULT 0,
    scheduled_at     TEXT    NOT NULL,
    cutoff           TEXT    NOT NULL,
    started_at       TEXT    NOT NULL,
    finished_at      TEXT,
    lease_until      TEXT    NOT NULL,
    host             TEXT    NOT NULL,
    process_id       INTEGER NOT NULL,
    exit_code        INTEGER,
    message          TEXT,
    summary_json     TEXT,
    process_start    TEXT
);

INSERT INTO ub_run_v3 (id, job, provider_account, usage_table, status, dry_run, scheduled_at, cutoff, started_at, finished_at,
                       lease_until, host, process_id, exit_code, message, summary_json)
SELECT id, job, provider_account, usage_table, status, dry_run, scheduled_at, cutoff, started_at, finished_at,
       lease_until, host, process_id, exit_code, message, summary_json
FROM ub_run;

DROP TABLE ub_run;
ALTER TABLE ub_run_v3 RENAME TO ub_run;
CREATE INDEX IF NOT EXISTS ix_ub_run_job ON ub_run (job, id);

INSERT OR IGNORE INTO ub_schema_version (version, script, applied_at)
VALUES (3, '003_run_process_and_skips.sql', strftime('%Y-%m-%dT%H:%M:%fZ', 'now'));
