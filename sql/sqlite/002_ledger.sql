-- UsageBatch schema 2 (SQLite): the job's own tables. Re-runnable.
-- Times are TEXT 'YYYY-MM-DDTHH:MM:SS.fffZ' (always 3 decimals, UTC) so they compare as text.

-- One row per installation: the prefix of every Chargebee usage id this database ever sends.
CREATE TABLE IF NOT EXISTS ub_installation (
    id              INTEGER PRIMARY KEY CHECK (id = 1),
    installation_id TEXT NOT NULL,
    usage_id_prefix TEXT NOT NULL,
    created_at      TEXT NOT NULL
);

-- One row per run of a job. A run is alive while status = 'running' and lease_until is in the future.
CREATE TABLE IF NOT EXISTS ub_run (
    id               INTEGER PRIMARY KEY,
    job              TEXT    NOT NULL,
    provider_account TEXT    NOT NULL,
    usage_table      TEXT    NOT NULL,
    status           TEXT    NOT NULL CHECK (status IN ('running', 'succeeded', 'attention', 'aborted', 'dead')),
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
    summary_json     TEXT
);
CREATE INDEX IF NOT EXISTS ix_ub_run_job ON ub_run (job, id);

-- The submission ledger: one row per group per run, written (status 'preparing' -> 'prepared') before
-- anything is sent. Its id is the deterministic idempotency key (Chargebee usage id = prefix + id).
-- created_run_id never changes; owner_run_id moves to the run that recovers it.
CREATE TABLE IF NOT EXISTS ub_submission (
    id                 INTEGER PRIMARY KEY,
    created_run_id     INTEGER NOT NULL,
    owner_run_id       INTEGER NOT NULL,
    job                TEXT    NOT NULL,
    provider_account   TEXT    NOT NULL,
    usage_table        TEXT    NOT NULL,
    customer_field     TEXT    NOT NULL,
    customer_id        TEXT    NOT NULL,
    item_field         TEXT    NOT NULL,
    item_id            TEXT    NOT NULL,
    value_field        TEXT    NOT NULL,
    bucket_start       TEXT,
    bucket_end         TEXT,
    usage_date         TEXT,
    usage_id           TEXT,
    status             TEXT    NOT NULL CHECK (status IN ('preparing', 'prepared', 'sent', 'confirmed', 'zero',
                                                          'rejected', 'held', 'released', 'void')),
    status_reason      TEXT,
    row_count          INTEGER NOT NULL DEFAULT 0,
    total              TEXT    NOT NULL DEFAULT '0',
    first_occurred_at  TEXT,
    last_occurred_at   TEXT,
    row_ids            TEXT    NOT NULL DEFAULT '',
    attempts           INTEGER NOT NULL DEFAULT 0,
    first_sent_at      TEXT,
    last_attempt_at    TEXT,
    provider_usage_id  TEXT,
    provider_receipt_id TEXT,
    echoed_total       TEXT,
    http_status        INTEGER,
    provider_code      TEXT,
    created_at         TEXT    NOT NULL,
    updated_at         TEXT    NOT NULL,
    settled_at         TEXT
);
CREATE INDEX IF NOT EXISTS ix_ub_submission_open ON ub_submission (provider_account, status) WHERE settled_at IS NULL;
CREATE INDEX IF NOT EXISTS ix_ub_submission_target ON ub_submission (provider_account, customer_id, item_id, usage_date);
CREATE INDEX IF NOT EXISTS ix_ub_submission_run ON ub_submission (created_run_id);

-- Append-only history of what each run did to each submission; a run's report reads its own events, so a
-- re-rendered report equals the original.
CREATE TABLE IF NOT EXISTS ub_submission_event (
    id                INTEGER PRIMARY KEY,
    submission_id     INTEGER NOT NULL,
    run_id            INTEGER NOT NULL,
    at                TEXT    NOT NULL,
    event             TEXT    NOT NULL,
    detail            TEXT,
    provider_usage_id TEXT,
    provider_receipt_id TEXT,
    echoed_total      TEXT,
    http_status       INTEGER,
    provider_code     TEXT
);
CREATE INDEX IF NOT EXISTS ix_ub_submission_event_run ON ub_submission_event (run_id, submission_id);
CREATE INDEX IF NOT EXISTS ix_ub_submission_event_submission ON ub_submission_event (submission_id);

-- Rows a run rejected, held or released, with the reason as the run saw it (the report's exceptions).
CREATE TABLE IF NOT EXISTS ub_row_exception (
    id            INTEGER PRIMARY KEY,
    run_id        INTEGER NOT NULL,
    usage_table   TEXT    NOT NULL,
    row_id        INTEGER NOT NULL,
    source_key    TEXT,
    submission_id INTEGER,
    kind          TEXT    NOT NULL CHECK (kind IN ('rejected', 'held', 'released')),
    reason        TEXT    NOT NULL,
    at            TEXT    NOT NULL
);
CREATE INDEX IF NOT EXISTS ix_ub_row_exception_run ON ub_row_exception (run_id);

-- The run guard: one run per job at a time across processes (a lock row with a lease).
CREATE TABLE IF NOT EXISTS ub_job_lock (
    job         TEXT    PRIMARY KEY,
    run_id      INTEGER NOT NULL,
    lease_until TEXT    NOT NULL
);

INSERT OR IGNORE INTO ub_schema_version (version, script, applied_at)
VALUES (2, '002_ledger.sql', strftime('%Y-%m-%dT%H:%M:%fZ', 'now'));
